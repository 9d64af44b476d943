/// A strict RFC 8259 parser over contiguous bytes that validates a document into ``JSONDocument`` nodes; see
/// ``JSONValue/parse(_:)`` for the rules.
struct JSONParser {
    /// Deep enough for every payload this worker reads; shallow enough that the recursion cannot exhaust the stack.
    static let maximumDepth = 64
    /// Strings must be stream-safe (Unicode UAX #15): at most this many non-starters (combining marks) in a row.
    /// Swift normalizes strings to compare and hash them, in time quadratic in the length of such a run: seconds
    /// for a 100 kB key or metric name.
    static let maximumNonStarterRun = 30
    /// Up to this many members, an object's plain ASCII keys are checked for duplicates pairwise; beyond, with a set.
    private static let pairwiseKeyLimit = 64

    private typealias Node = JSONDocument.Node

    private let input: UnsafeBufferPointer<UInt8>
    private var position = 0
    private var depth = 0
    private var nodes: [Node] = []
    /// The plain ASCII keys of the objects being parsed, innermost object's last, for the duplicate check: each
    /// key's node and a summary that tells most unequal keys apart cheaply (see ``summary(of:in:)``).
    private var keys: [(node: Int, summary: Int)] = []
    /// Whether whitespace was skipped anywhere between tokens.
    private var skippedWhitespace = false

    private init(_ input: UnsafeBufferPointer<UInt8>) {
        self.input = input
    }

    /// The nodes of the document in `input`, and whether it has no whitespace between tokens.
    static func parse(_ input: UnsafeBufferPointer<UInt8>) throws(JSONParseError) -> (nodes: [JSONDocument.Node], isCompact: Bool) {
        var parser = JSONParser(input)
        // At most one node per 10 bytes in the payloads seen here (a tenant event has one per 13): one allocation
        // each instead of a series of doublings.
        parser.nodes.reserveCapacity(input.count / 10 + 8)
        parser.keys.reserveCapacity(32)
        try parser.parseDocument()
        return (parser.nodes, !parser.skippedWhitespace)
    }

    /// The value of a string node of the document in `input`.
    static func string(_ node: JSONDocument.Node, in input: UnsafeBufferPointer<UInt8>) -> String {
        let text = UnsafeBufferPointer(rebasing: input[node.start..<node.end])
        guard node.hasEscapes else { return String(decoding: text, as: UTF8.self) }
        var parser = JSONParser(input)
        parser.position = node.start
        var value: [UInt8] = []
        value.reserveCapacity(text.count)
        while parser.position < node.end {
            if input[parser.position] == UInt8(ascii: "\\") {
                // Parsing checked every escape.
                try! parser.parseEscape(into: &value)
            } else {
                value.append(input[parser.position])
                parser.position += 1
            }
        }
        return String(decoding: value, as: UTF8.self)
    }

    private mutating func parseDocument() throws(JSONParseError) {
        skipWhitespace()
        try parseValue()
        skipWhitespace()
        guard position == input.count else { throw JSONParseError(.trailingData, at: position) }
    }

    private mutating func parseValue() throws(JSONParseError) {
        guard let byte = peek() else { throw JSONParseError(.unexpectedEnd(expected: "a value"), at: position) }
        switch byte {
        case UInt8(ascii: "{"): try parseObject()
        case UInt8(ascii: "["): try parseArray()
        case UInt8(ascii: "\""): _ = try parseString()
        case UInt8(ascii: "t"): try parseLiteral("true", .true)
        case UInt8(ascii: "f"): try parseLiteral("false", .false)
        case UInt8(ascii: "n"): try parseLiteral("null", .null)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): try parseNumber()
        default: throw JSONParseError(.unexpectedByte(byte, expected: "a value"), at: position)
        }
    }

    /// Appends a scalar's node for the text from `start` to the current position.
    private mutating func appendScalar(_ kind: JSONDocument.Kind, from start: Int) {
        nodes.append(Node(kind: kind, start: start, end: position, next: nodes.count + 1))
    }

    // MARK: Containers

    private mutating func parseObject() throws(JSONParseError) {
        let object = try enterContainer(.object)
        skipWhitespace()
        if peek() == UInt8(ascii: "}") {
            position += 1
            return exitContainer(object)
        }
        let firstKey = keys.count
        defer { keys.removeSubrange(firstKey...) }
        var keySet: Set<String>? = nil
        while true {
            guard peek() == UInt8(ascii: "\"") else { throw unexpected(expected: "a string key") }
            let keyOffset = position
            let key = try parseString()
            skipWhitespace()
            try consume(UInt8(ascii: ":"), expected: "':' after an object key")
            skipWhitespace()
            try parseValue()
            try remember(key: key, at: keyOffset, objectKeysFrom: firstKey, keySet: &keySet)
            skipWhitespace()
            if try consumeSeparator(closing: UInt8(ascii: "}"), expected: "',' or '}' after an object member") {
                return exitContainer(object)
            }
            skipWhitespace()
        }
    }

    /// Throws if the object being parsed already has a member named `key` (as Swift strings compare), else adds
    /// it to the keys seen. While an object has few keys, all plain ASCII, they are compared pairwise by their
    /// bytes in `keys` from `firstKey` on; from its first other key or beyond the limit, they go in `keySet`, whose
    /// hashing normalizes each key once. (Comparing such keys pairwise as strings normalized both at every
    /// comparison: seconds for 64 long non-ASCII keys.)
    private mutating func remember(
        key: Int,
        at offset: Int,
        objectKeysFrom firstKey: Int,
        keySet: inout Set<String>?
    ) throws(JSONParseError) {
        if keySet == nil {
            if JSONDocument.isPlain(nodes[key]) {
                let summary = Self.summary(of: nodes[key], in: input)
                for index in firstKey..<keys.count where keys[index].summary == summary {
                    if hasSameBytes(keys[index].node, key) {
                        throw JSONParseError(.duplicateKey(Self.string(nodes[key], in: input)), at: offset)
                    }
                }
                if keys.count - firstKey < Self.pairwiseKeyLimit {
                    keys.append((key, summary))
                    return
                }
            }
            keySet = Set(keys[firstKey...].map { Self.string(nodes[$0.node], in: input) })
        }
        let text = Self.string(nodes[key], in: input)
        guard keySet!.insert(text).inserted else { throw JSONParseError(.duplicateKey(text), at: offset) }
    }

    /// Whether two string nodes have the same text.
    private func hasSameBytes(_ left: Int, _ right: Int) -> Bool {
        let (left, right) = (nodes[left], nodes[right])
        return UnsafeBufferPointer(rebasing: input[left.start..<left.end])
            .hasSameBytes(as: UnsafeBufferPointer(rebasing: input[right.start..<right.end]))
    }

    /// Length, first and last byte of a plain ASCII key: keys that differ in it differ.
    private static func summary(of key: Node, in input: UnsafeBufferPointer<UInt8>) -> Int {
        guard key.start < key.end else { return 0 }
        return (key.end - key.start) << 16 | Int(input[key.start]) << 8 | Int(input[key.end - 1])
    }

    private mutating func parseArray() throws(JSONParseError) {
        let array = try enterContainer(.array)
        skipWhitespace()
        if peek() == UInt8(ascii: "]") {
            position += 1
            return exitContainer(array)
        }
        while true {
            try parseValue()
            skipWhitespace()
            if try consumeSeparator(closing: UInt8(ascii: "]"), expected: "',' or ']' after an array element") {
                return exitContainer(array)
            }
            skipWhitespace()
        }
    }

    /// Consumes the opening bracket, counting the depth, and appends the container's node.
    private mutating func enterContainer(_ kind: JSONDocument.Kind) throws(JSONParseError) -> Int {
        guard depth < Self.maximumDepth else {
            throw JSONParseError(.nestingTooDeep(limit: Self.maximumDepth), at: position)
        }
        depth += 1
        nodes.append(Node(kind: kind, start: position, end: position, next: nodes.count + 1))
        position += 1
        return nodes.count - 1
    }

    /// Completes a container's node once its closing bracket is consumed.
    private mutating func exitContainer(_ container: Int) {
        depth -= 1
        nodes[container].end = position
        nodes[container].next = nodes.count
    }

    /// Consumes `,` (returning false: more follows) or `closing` (returning true).
    private mutating func consumeSeparator(closing: UInt8, expected: String) throws(JSONParseError) -> Bool {
        switch peek() {
        case UInt8(ascii: ","):
            position += 1
            return false
        case closing:
            position += 1
            return true
        default:
            throw unexpected(expected: expected)
        }
    }

    // MARK: Strings

    /// Validates a string starting at its opening quote, appends its node and returns the node's index.
    private mutating func parseString() throws(JSONParseError) -> Int {
        position += 1
        let start = position
        var hasEscapes = false
        var hasNonASCII = false
        // Escapes are checked by decoding them; an empty array allocates nothing.
        var unescaped: [UInt8] = []
        var nonStarters = 0
        var lastScalarEnd = start
        while true {
            position = ByteScan.firstSpecialByte(in: input, from: position, orNonASCII: true)
            guard position < input.count else { break }
            // The scan skipped ASCII, all starters.
            if position != lastScalarEnd { nonStarters = 0 }
            let scalarStart = position
            let byte = input[position]
            switch byte {
            case UInt8(ascii: "\""):
                nodes.append(
                    Node(
                        kind: .string,
                        hasEscapes: hasEscapes,
                        hasNonASCII: hasNonASCII,
                        start: start,
                        end: position,
                        next: nodes.count + 1
                    )
                )
                position += 1
                return nodes.count - 1
            case UInt8(ascii: "\\"):
                hasEscapes = true
                try count(parseEscape(into: &unescaped), at: scalarStart, inRun: &nonStarters)
            case 0x00..<0x20:
                throw JSONParseError(.unescapedControlCharacter(byte), at: position)
            default:
                hasNonASCII = true
                try count(skipMultiByteScalar(), at: scalarStart, inRun: &nonStarters)
            }
            lastScalarEnd = position
        }
        throw JSONParseError(.unexpectedEnd(expected: "'\"' to close the string"), at: position)
    }

    /// Counts `scalar` into the run of non-starters it ends or continues, and throws if the run is too long.
    private func count(_ scalar: Unicode.Scalar, at offset: Int, inRun nonStarters: inout Int) throws(JSONParseError) {
        // Nothing below U+0300 is a combining mark: most text never looks the class up.
        guard scalar.value >= 0x300, scalar.properties.canonicalCombiningClass != .notReordered else {
            nonStarters = 0
            return
        }
        nonStarters += 1
        guard nonStarters <= Self.maximumNonStarterRun else {
            throw JSONParseError(.tooManyCombiningMarks(limit: Self.maximumNonStarterRun), at: offset)
        }
    }

    /// Validates one multi-byte UTF-8 sequence (Unicode table 3-7: no overlong forms, no surrogates, nothing
    /// above U+10FFFF) and returns its scalar.
    private mutating func skipMultiByteScalar() throws(JSONParseError) -> Unicode.Scalar {
        let lead = input[position]
        let length: Int
        var secondByteRange: ClosedRange<UInt8> = 0x80...0xBF
        switch lead {
        case 0xC2...0xDF: length = 2
        case 0xE0:
            length = 3
            secondByteRange = 0xA0...0xBF
        case 0xED:
            length = 3
            secondByteRange = 0x80...0x9F
        case 0xE1...0xEF: length = 3
        case 0xF0:
            length = 4
            secondByteRange = 0x90...0xBF
        case 0xF1...0xF3: length = 4
        case 0xF4:
            length = 4
            secondByteRange = 0x80...0x8F
        default: throw JSONParseError(.invalidUTF8, at: position)
        }
        // The lead byte's payload bits, then six from each continuation byte.
        var value = UInt32(lead) & (0x7F >> length)
        for index in 1..<length {
            let expected = index == 1 ? secondByteRange : 0x80...0xBF
            guard position + index < input.count, expected.contains(input[position + index]) else {
                throw JSONParseError(.invalidUTF8, at: position)
            }
            value = value << 6 | UInt32(input[position + index] & 0x3F)
        }
        position += length
        return Unicode.Scalar(value)!
    }

    /// Decodes the escape at the backslash under `position`, appending its UTF-8 to `output`, and returns its scalar.
    @discardableResult
    private mutating func parseEscape(into output: inout [UInt8]) throws(JSONParseError) -> Unicode.Scalar {
        let escapeOffset = position
        guard position + 1 < input.count else { throw JSONParseError(.invalidEscape, at: escapeOffset) }
        let letter = input[position + 1]
        position += 2
        let byte: UInt8
        switch letter {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): byte = letter
        case UInt8(ascii: "b"): byte = 0x08
        case UInt8(ascii: "f"): byte = 0x0C
        case UInt8(ascii: "n"): byte = 0x0A
        case UInt8(ascii: "r"): byte = 0x0D
        case UInt8(ascii: "t"): byte = 0x09
        case UInt8(ascii: "u"):
            let unit = try parseHexQuad(escapeOffset: escapeOffset)
            let scalarValue: UInt32
            switch unit {
            case 0xD800...0xDBFF:
                // A high surrogate must be followed at once by an escaped low surrogate.
                guard position + 1 < input.count, input[position] == UInt8(ascii: "\\"),
                    input[position + 1] == UInt8(ascii: "u")
                else { throw JSONParseError(.loneSurrogate, at: escapeOffset) }
                position += 2
                let low = try parseHexQuad(escapeOffset: position - 2)
                guard (0xDC00...0xDFFF).contains(low) else { throw JSONParseError(.loneSurrogate, at: escapeOffset) }
                scalarValue = 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00)
            case 0xDC00...0xDFFF:
                throw JSONParseError(.loneSurrogate, at: escapeOffset)
            default:
                scalarValue = unit
            }
            let scalar = Unicode.Scalar(scalarValue)!
            output.append(contentsOf: UTF8.encode(scalar)!)
            return scalar
        default:
            throw JSONParseError(.invalidEscape, at: escapeOffset)
        }
        output.append(byte)
        return Unicode.Scalar(byte)
    }

    private mutating func parseHexQuad(escapeOffset: Int) throws(JSONParseError) -> UInt32 {
        guard position + 4 <= input.count else { throw JSONParseError(.invalidEscape, at: escapeOffset) }
        var value: UInt32 = 0
        for byte in input[position..<position + 4] {
            guard let digit = Hex.value(of: byte) else { throw JSONParseError(.invalidEscape, at: escapeOffset) }
            value = value << 4 | UInt32(digit)
        }
        position += 4
        return value
    }

    // MARK: Numbers and literals

    /// Checks `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?` and appends its node.
    private mutating func parseNumber() throws(JSONParseError) {
        let start = position
        if peek() == UInt8(ascii: "-") { position += 1 }
        switch peek() {
        case UInt8(ascii: "0"):
            position += 1
            if let next = peek(), isDigit(next) {
                throw JSONParseError(.invalidNumber("leading zero"), at: start)
            }
        case let byte? where isDigit(byte):
            skipDigits()
        default:
            throw JSONParseError(.invalidNumber("expected a digit"), at: position)
        }
        if peek() == UInt8(ascii: ".") {
            position += 1
            guard let byte = peek(), isDigit(byte) else {
                throw JSONParseError(.invalidNumber("expected a digit after '.'"), at: position)
            }
            skipDigits()
        }
        if peek() == UInt8(ascii: "e") || peek() == UInt8(ascii: "E") {
            position += 1
            if peek() == UInt8(ascii: "+") || peek() == UInt8(ascii: "-") { position += 1 }
            guard let byte = peek(), isDigit(byte) else {
                throw JSONParseError(.invalidNumber("expected a digit in the exponent"), at: position)
            }
            skipDigits()
        }
        appendScalar(.number, from: start)
    }

    private mutating func skipDigits() {
        while let byte = peek(), isDigit(byte) { position += 1 }
    }

    private func isDigit(_ byte: UInt8) -> Bool {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
    }

    private mutating func parseLiteral(_ literal: StaticString, _ kind: JSONDocument.Kind) throws(JSONParseError) {
        let start = position
        for index in 0..<literal.utf8CodeUnitCount {
            guard peek() == literal.utf8Start[index] else { throw unexpected(expected: "'\(literal)'") }
            position += 1
        }
        appendScalar(kind, from: start)
    }

    // MARK: Bytes

    private func peek() -> UInt8? {
        position < input.count ? input[position] : nil
    }

    private mutating func skipWhitespace() {
        let start = position
        while let byte = peek(),
            byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\r")
                || byte == UInt8(ascii: "\t")
        {
            position += 1
        }
        if position != start { skippedWhitespace = true }
    }

    private mutating func consume(_ expectedByte: UInt8, expected: String) throws(JSONParseError) {
        guard peek() == expectedByte else { throw unexpected(expected: expected) }
        position += 1
    }

    private func unexpected(expected: String) -> JSONParseError {
        guard let byte = peek() else { return JSONParseError(.unexpectedEnd(expected: expected), at: position) }
        return JSONParseError(.unexpectedByte(byte, expected: expected), at: position)
    }
}
