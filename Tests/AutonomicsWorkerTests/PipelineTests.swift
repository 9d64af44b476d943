import AutonomicsCore
import AutonomicsSamples
import AutonomicsTestSupport
import Foundation
import GCPFake
import Kafka
import Testing

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

@testable import AutonomicsWorker

@Suite("Worker pipeline against the mock cluster")
struct PipelineTests {
    @Test("every sample ends as one receipt or one dead letter, and the chains verify")
    func samplesBecomeReceipts() async throws {
        let cluster = try TestCluster()
        // The entitlement samples resolve through the Procurement GET; one of them names no provider.
        let procurement = try await ProcurementFixture()
        procurement.fake.addEntitlement(
            "providers/acme-saas-public/entitlements/\(SampleEvents.entitlementID)", account: SampleEvents.tenantID,
            state: "ENTITLEMENT_ACTIVE")
        var configuration = cluster.configuration()
        procurement.configure(&configuration)
        configuration.intake.procurementProviderID = "acme-saas-public"
        let worker = try await RunningWorker(configuration, environment: procurement.environment)
        let samples = SampleEvents.all + SampleEvents.invalid
        try await cluster.produce(samples.map { $0.json.bytes })

        let normalizer = Normalizer(settings: IntakeSettings())
        let origin = EventOrigin(topic: cluster.topics.events, partition: 0, offset: 0, timestamp: nil)
        var expectedEventIDs = Set<String>()
        var formats = Set<EventFormat>()
        var expectedDeadLetters = 0
        for sample in samples {
            switch normalizer.normalize(sample.json.bytes, origin: origin, now: WallClock.milliseconds()) {
            case .success(let event):
                expectedEventIDs.insert(event.eventID)
                formats.insert(event.format)
            case .failure: expectedDeadLetters += 1
            }
        }
        #expect(formats == Set(EventFormat.allCases))
        #expect(expectedDeadLetters == SampleEvents.invalid.count)

        try await eventually("a receipt per distinct sample event") {
            try await cluster.eventReceipts().count >= expectedEventIDs.count
        }
        try await eventually("the invalid samples in the dead-letter topic") {
            try await cluster.records(of: cluster.topics.dlq).count >= expectedDeadLetters
        }
        #expect(try await cluster.records(of: cluster.topics.dlq).count == expectedDeadLetters)
        let receipts = try await cluster.eventReceipts()
        let receiptEventIDs = try receipts.map { try #require(JSONValue.parse($0.value ?? [])["event_id"]?.stringValue) }
        #expect(receiptEventIDs.count == expectedEventIDs.count)
        #expect(Set(receiptEventIDs) == expectedEventIDs)
        for receipt in receipts {
            let object = try JSONValue.parse(receipt.value ?? [])
            #expect(receipt.key == object["tenant_id"]?.stringValue?.bytes, "receipts are keyed by tenant")
        }

        let report = try await cluster.verifyReceipts()
        #expect(report.isValid, "\(report.summary)")

        let port = try await worker.operationsPort()
        let ready = try await httpGet(port: port, path: "/ready")
        #expect(ready.status == 200)
        let metrics = try await httpGet(port: port, path: "/metrics")
        let written = try await cluster.records(of: cluster.topics.receipts).count
        #expect(metrics.body.contains("autonomics_receipts_total \(written)"))
        #expect(metrics.body.contains(#"autonomics_governor_decisions_total{kind="refusal"}"#))
        #expect(metrics.body.contains(#"autonomics_events_consumed_total{format="signal"}"#))
        try await worker.stop()
        #expect(procurement.fake.violations.isEmpty, "\(procurement.fake.violations)")
        await procurement.stop()
    }

    @Test("a dead letter keeps key, value and headers byte-for-byte and adds origin and reason")
    func deadLetterHeaders() async throws {
        let cluster = try TestCluster(partitions: 1)
        let worker = try await RunningWorker(cluster.configuration())
        let key: [UInt8] = [0xFF, 0x00, 0x80, 0x41]
        let value: [UInt8] = Array("{\"tenant_id\": \"t1\", ".utf8) + [0xC3, 0x28]
        let headers = [
            KafkaHeader(name: "traceparent", value: [0xDE, 0xAD, 0xBE, 0xEF]),
            KafkaHeader(name: "empty", value: nil),
        ]
        try await cluster.produce([value], key: key, headers: headers)
        try await cluster.produce([nil], key: Array("tombstone".utf8))

        try await eventually("two dead letters") { try await cluster.records(of: cluster.topics.dlq).count == 2 }
        let letters = try await cluster.records(of: cluster.topics.dlq)
        let invalid = try #require(letters.first { $0.key == key })
        let original = try #require(await cluster.records(of: cluster.topics.events).first { $0.key == key })
        #expect(invalid.value == value)
        #expect(Array(invalid.headers.prefix(2)) == headers)
        #expect(invalid.headers.dropFirst(2).map(\.name) == [
            DeadLetterHeader.originTopic, DeadLetterHeader.originPartition, DeadLetterHeader.originOffset,
            DeadLetterHeader.originTimestamp, DeadLetterHeader.errorCode, DeadLetterHeader.errorMessage,
            DeadLetterHeader.worker,
        ])
        #expect(invalid.header(DeadLetterHeader.originTopic) == cluster.topics.events)
        #expect(invalid.header(DeadLetterHeader.originPartition) == "0")
        #expect(invalid.header(DeadLetterHeader.originOffset) == String(original.offset))
        #expect(invalid.header(DeadLetterHeader.originTimestamp) == original.timestamp.map(String.init))
        #expect(invalid.header(DeadLetterHeader.errorCode) == RejectionCode.invalidJSON.rawValue)
        #expect(invalid.header(DeadLetterHeader.errorMessage)?.isEmpty == false)
        #expect(invalid.header(DeadLetterHeader.worker) == "test-worker")

        let tombstone = try #require(letters.first { $0.key == Array("tombstone".utf8) })
        #expect(tombstone.value == nil)
        #expect(tombstone.header(DeadLetterHeader.errorCode) == RejectionCode.emptyPayload.rawValue)
        #expect(try await cluster.records(of: cluster.topics.receipts).isEmpty)
        try await worker.stop()
    }

    @Test("a duplicate event, raw or in a Pub/Sub envelope, gets no second receipt")
    func duplicatesAreSkipped() async throws {
        let cluster = try TestCluster(partitions: 2)
        let worker = try await RunningWorker(cluster.configuration())
        let event = #"{"eventId":"dup-1","eventType":"ACCOUNT_ACTIVE","providerId":"p","account":{"id":"acct-7","updateTime":"2026-11-01T10:00:00Z"}}"#
        let envelope = #"{"message":{"data":"\#(Data(event.utf8).base64EncodedString())","messageId":"m-1","attributes":{}},"subscription":"projects/p/subscriptions/s"}"#
        try await cluster.produce([event.bytes, event.bytes, envelope.bytes], key: Array("acct-7".utf8))
        try await cluster.produce([event.bytes], key: Array("another key".utf8))

        let port = try await worker.operationsPort()
        try await eventually("all four events handled") {
            try await httpGet(port: port, path: "/metrics").body.contains("autonomics_duplicates_total 3")
        }
        try await eventually("the receipt of the first") { try await cluster.eventReceipts().count == 1 }
        try await worker.stop()
        #expect(try await cluster.eventReceipts().count == 1, "no second receipt, even after draining")
    }

    @Test("verify catches a receipt whose content was changed after hashing")
    func verifyCatchesTampering() async throws {
        let cluster = try TestCluster(partitions: 1)
        let worker = try await RunningWorker(cluster.configuration())
        let signals = (0..<5).map { index in
            #"{"tenant_id":"tenant-a","metric":"cpu_utilization","value":\#(40 + index),"timestamp":"2026-01-01T00:00:\#(10 + index * 5)Z"}"#.bytes
        }
        try await cluster.produce(signals)
        try await eventually("five event receipts") { try await cluster.eventReceipts().count == 5 }
        try await worker.stop()

        let lines = try await cluster.records(of: cluster.topics.receipts).map { String(decoding: $0.value ?? [], as: UTF8.self) }
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("receipts-\(UUID()).jsonl")
        defer { try? FileManager.default.removeItem(at: file) }
        try lines.joined(separator: "\n").write(to: file, atomically: true, encoding: .utf8)
        #expect(try LedgerVerification.verifyFile(file.path).isValid)

        var tampered = lines
        let index = try #require(lines.firstIndex { $0.contains(#""kind":"event""#) && $0.contains(#""value":"42""#) })
        tampered[index] = tampered[index].replacingOccurrences(of: #""value":"42""#, with: #""value":"99""#)
        try tampered.joined(separator: "\n").write(to: file, atomically: true, encoding: .utf8)
        let report = try LedgerVerification.verifyFile(file.path)
        #expect(!report.isValid)
        #expect(report.failures.count == 1)
        #expect(report.failures.first?.location == "\(file.path):\(index + 1)")
    }

    @Test("with receipts.signing_key every receipt is signed; verify --public-key fails on an altered signature")
    func verifyChecksSignatures() async throws {
        let keys = try TestSigningKey()
        defer { keys.remove() }
        let cluster = try TestCluster(partitions: 1)
        var configuration = cluster.configuration()
        configuration.receipts.signingKey = keys.privateKeyFile
        let worker = try await RunningWorker(configuration)
        let signals = (0..<3).map { index in
            #"{"tenant_id":"tenant-a","metric":"cpu_utilization","value":\#(40 + index),"timestamp":"2026-01-01T00:00:\#(10 + index * 5)Z"}"#.bytes
        }
        try await cluster.produce(signals)
        // Each signal's own receipt and its decision's (a refusal: the tenant has no entitlement yet).
        try await eventually("six receipts") { try await cluster.records(of: cluster.topics.receipts).count == 6 }
        try await worker.stop()

        let publicKey = try LedgerVerification.publicKey(file: keys.publicKeyFile)
        let fromTopic = try await cluster.verifyReceipts(publicKey: publicKey)
        #expect(fromTopic.summary == "6 receipts of 1 tenants checked: all chains intact, all signatures valid")

        var lines = try await cluster.records(of: cluster.topics.receipts).map { String(decoding: $0.value ?? [], as: UTF8.self) }
        let signature = try #require(JSONValue.parse(lines[1].bytes)["signature"]?.stringValue)
        // Another first character: another first byte, still base64.
        let altered = (signature.hasPrefix("A") ? "B" : "A") + signature.dropFirst()
        lines[1] = lines[1].replacingOccurrences(of: signature, with: altered)
        let file = keys.directory.appending(path: "receipts.jsonl")
        try lines.joined(separator: "\n").write(to: file, atomically: true, encoding: .utf8)

        let report = try LedgerVerification.verifyFile(file.path, publicKey: publicKey)
        #expect(report.failures == [TenantFailure(tenantID: "tenant-a", location: "\(file.path):2", seq: 2, reason: .badSignature)])
        #expect(try LedgerVerification.verifyFile(file.path).isValid, "without the key signatures are not checked")

        // The command line: exit 1 naming the receipt, 0 without the key, 2 for a key file that is no public key.
        let verify = { (arguments: [String]) throws -> (status: Int32, output: String, error: String) in
            let process = Process()
            process.executableURL = try autonomicsExecutable()
            process.arguments = ["verify", "--file", file.path] + arguments
            process.environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("AUTONOMICS_") }
            let output = Pipe()
            let error = Pipe()
            process.standardOutput = output
            process.standardError = error
            try process.run()
            let printed = output.fileHandleForReading.readDataToEndOfFile()
            let complaint = error.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            return (process.terminationStatus, String(decoding: printed, as: UTF8.self), String(decoding: complaint, as: UTF8.self))
        }
        let checked = try verify(["--public-key", keys.publicKeyFile])
        #expect(checked.status == 1)
        #expect(checked.output.contains("tenant \"tenant-a\" at \(file.path):2 seq 2: signature does not verify with the public key"))
        #expect(try verify([]).status == 0)
        let wrongKey = try verify(["--public-key", keys.privateKeyFile])
        #expect(wrongKey.status == 2)
        #expect(wrongKey.error.contains("\(keys.privateKeyFile): expected a PEM Ed25519 public key"))
    }
}
