// A libFuzzer target over everything AutonomicsCore reads from outside: intake normalization, tenant-event
// parsing and receipt restore, plus the JSON parser against Foundation's. tools/fuzz.sh compiles it together with
// the AutonomicsCore sources (one module, so that it reaches internal API) and runs it. Every check traps
// (`fatalError`), which libFuzzer reports as a crash, keeping the input.
//
// JSON validity must agree with JSONSerialization (fragments allowed) except where they differ on purpose, as
// fuzzing and probing JSONSerialization found. We reject, and JSONSerialization accepts:
// - duplicate object keys;
// - nesting deeper than JSONParser.maximumDepth (64; JSONSerialization allows 512);
// - more than JSONParser.maximumNonStarterRun (30) combining marks in a row in a string;
// - a trailing comma in an array or object, `[1,]`;
// - a UTF-8 byte order mark, and UTF-16 and UTF-32, which it detects (RFC 4627) where we take UTF-8 only.
// JSONSerialization rejects, and we accept: a number beyond a Double's range, such as 1e400 (we keep the lexeme).
import Foundation

/// The worker's clock for every input: 2026-11-20T12:00:00Z, as in the unit tests.
private let now: Int64 = 1_795_176_000_000
private let origin = EventOrigin(topic: "autonomics.events", partition: 3, offset: 1207, timestamp: now - 1000)

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    checkJSON(bytes)
    checkIntake(bytes)
    checkTenantEvent(bytes)
    checkRestore(bytes)
    return 0
}

/// Writes the seed corpus to the directory named by `AUTONOMICS_FUZZ_SEEDS` before libFuzzer reads it: the
/// sample events, their tenant events and their receipts, so that the seeds follow the samples.
@_cdecl("LLVMFuzzerInitialize")
public func initialize(_ argc: UnsafeMutableRawPointer, _ argv: UnsafeMutableRawPointer) -> CInt {
    guard let directory = ProcessInfo.processInfo.environment["AUTONOMICS_FUZZ_SEEDS"] else { return 0 }
    var ledger = ReceiptLedger()
    var seeds: [(name: String, bytes: [UInt8])] = []
    for (name, json) in SampleEvents.all + SampleEvents.invalid {
        seeds.append((name, Array(json.utf8)))
        guard case .success(let event) = Normalizer().normalize(Array(json.utf8), origin: origin, now: now) else {
            continue
        }
        seeds.append((name + "-tenant-event", event.encoded()))
        if let receipt = ledger.record(event, now: now) { seeds.append((name + "-receipt", receipt.bytes)) }
    }
    for seed in seeds {
        _ = FileManager.default.createFile(atPath: directory + "/seed-" + seed.name, contents: Data(seed.bytes))
    }
    return 0
}

private func checkJSON(_ bytes: [UInt8]) {
    guard !isOtherEncodingForFoundation(bytes) else { return }
    let document: JSONDocument
    do {
        document = try JSONDocument(parsing: bytes)
    } catch {
        switch error.reason {
        case .duplicateKey, .nestingTooDeep, .tooManyCombiningMarks: return
        default: break
        }
        if foundationAccepts(bytes) && !isTrailingComma(error, in: bytes) {
            fatalError("JSONSerialization accepts what we reject: \(error)")
        }
        return
    }
    if !foundationAccepts(bytes) && !isStricterInFoundation(document) {
        fatalError("JSONSerialization rejects what we accept")
    }
    checkCanonical(document)
}

private func foundationAccepts(_ bytes: [UInt8]) -> Bool {
    (try? JSONSerialization.jsonObject(with: Data(bytes), options: [.fragmentsAllowed])) != nil
}

/// Whether JSONSerialization reads the bytes as UTF-16 or UTF-32 (a NUL in the first four, RFC 4627 section 3)
/// or skips a byte order mark; we take UTF-8 only, and no mark.
private func isOtherEncodingForFoundation(_ bytes: [UInt8]) -> Bool {
    bytes.prefix(4).contains(0) || [[0xEF, 0xBB, 0xBF], [0xFE, 0xFF], [0xFF, 0xFE]].contains { bytes.starts(with: $0) }
}

/// Whether we rejected a `}` or `]` right after a comma, which JSONSerialization lets pass.
private func isTrailingComma(_ error: JSONParseError, in bytes: [UInt8]) -> Bool {
    guard case .unexpectedByte(let byte, _) = error.reason, byte == UInt8(ascii: "}") || byte == UInt8(ascii: "]")
    else { return false }
    let whitespace: [UInt8] = [0x20, 0x09, 0x0A, 0x0D]
    return bytes[..<error.offset].last { !whitespace.contains($0) } == UInt8(ascii: ",")
}

/// Whether the document has a number out of a Double's range, which JSONSerialization rejects.
private func isStricterInFoundation(_ document: JSONDocument) -> Bool {
    document.nodes.indices.contains { node in
        document.kind(of: node) == .number && !(Double(document.text(of: node))?.isFinite ?? false)
    }
}

/// The canonical encoding of a parsed value reads back as the same value and encodes the same again; and a
/// value that counts as canonical as written is written as its canonical encoding.
private func checkCanonical(_ document: JSONDocument) {
    let value = document.value(at: JSONDocument.root)
    guard let canonical = try? CanonicalJSON.checkedEncode(value) else { return }
    guard let reparsed = try? JSONValue.parse(canonical), reparsed == value else {
        fatalError("canonical JSON does not read back as the value it encodes")
    }
    guard CanonicalJSON.encode(reparsed) == canonical else { fatalError("canonical JSON is not idempotent") }
    if document.isCanonical(JSONDocument.root) && document.withText(of: JSONDocument.root, Array.init) != canonical {
        fatalError("a value counted as canonical as written is not its canonical encoding")
    }
}

/// An accepted event has an RFC 3339 time, reads back from its encoding, and makes a sound receipt.
private func checkIntake(_ bytes: [UInt8]) {
    guard case .success(let event) = Normalizer().normalize(bytes, origin: origin, now: now) else { return }
    guard RFC3339.representableMilliseconds.contains(event.eventTime) else {
        fatalError("event time \(event.eventTime) is outside RFC 3339's years")
    }
    guard (try? NormalizedEvent(decoding: event.encoded())) == event else {
        fatalError("a normalized event does not read back from its encoding")
    }
    var ledger = ReceiptLedger()
    guard let receipt = ledger.record(event, now: now) else { fatalError("a first event is a duplicate") }
    checkReceipt(receipt)
}

private func checkTenantEvent(_ bytes: [UInt8]) {
    var ledger = ReceiptLedger()
    guard let receipt = try? ledger.record(tenantEvent: bytes, now: now) else { return }
    checkReceipt(receipt)
}

private func checkRestore(_ bytes: [UInt8]) {
    var ledger = ReceiptLedger()
    try? ledger.restore(from: bytes)
}

/// A new receipt is canonical JSON with RFC 3339 times, verifies as the start of a chain, and restores.
private func checkReceipt(_ receipt: Receipt) {
    guard let value = try? JSONValue.parse(receipt.bytes), CanonicalJSON.encode(value) == receipt.bytes else {
        fatalError("a receipt is not canonical JSON")
    }
    for key in ["time", "event_time"] {
        guard let text = value[key]?.stringValue, RFC3339.parse(text) != nil else {
            fatalError("receipt \(key) is not an RFC 3339 time: \(value[key] ?? .null)")
        }
    }
    var verifier = ChainVerifier()
    verifier.add(receipt.bytes, location: "fuzz")
    guard verifier.report().isValid else { fatalError(verifier.report().summary) }
    var ledger = ReceiptLedger()
    do {
        try ledger.restore(from: receipt.bytes)
    } catch {
        fatalError("a new receipt does not restore: \(error)")
    }
}
