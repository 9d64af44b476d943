/// A strict RFC 8259 parser over contiguous bytes; see ``JSONValue/parse(_:)``.
struct JSONParser {
    /// Deep enough for every payload this worker reads; shallow enough that the recursion cannot exhaust the stack.
    static let maximumDepth = 64

    private let input: UnsafeBufferPointer<UInt8>
    private var position = 0
    private var depth = 0

    private init(_ input: UnsafeBufferPointer<UInt8>) {
        self.input = input
    }

    static func parse(_ input: UnsafeBufferPointer<UInt8>) -> Result<JSONValue, JSONParseError> {
        var parser = JSONParser(input)
        return Result { () throws(JSONParseError) in try parser.parseDocument() }
    }

    private mutating func parseDocument() throws(JSONParseError) -> JSONValue {
        skipWhitespace()
        let value = try parseValue()
        skipWhitespace()
        guard position == input.count else { throw JSONParseError(.trailingData, at: position) }
        return value
    }

    private mutating func parseValue() throws(JSONParseError) -> JSONValue {
        guard let byte = peek() else { throw JSONParseError(.unexpectedEnd(expected: "a value"), at: position) }
        switch byte {
        case UInt8(ascii: "{"): return try parseObject()
        case UInt8(ascii: "["): return try parseArray()
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"):
            try consumeLiteral("true")
            return .bool(true)
        case UInt8(ascii: "f"):
            try consumeLiteral("false")
            return .bool(false)
        case UInt8(ascii: "n"):
            try consumeLiteral("null")
            return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try parseNumber())
        default: throw JSONParseError(.unexpectedByte(byte, expected: "a value"), at: position)
        }
    }

    // MARK: Containers

    private mutating func parseObject() throws(JSONParseError) -> JSONValue {
        try enterContainer()
        var members: [String: JSONValue] = [:]
        skipWhitespace()
        if peek() == UInt8(ascii: "}") {
            position += 1
            depth -= 1
            return .object(members)
        }
        while true {
            guard peek() == UInt8(ascii: "\"") else { throw unexpected(expected: "a string key") }
            let keyOffset = position
            let key = try parseString()
            skipWhitespace()
            try consume(UInt8(ascii: ":"), expected: "':' after an object key")
            skipWhitespace()
            let value = try parseValue()
            if members.updateValue(value, forKey: key) != nil {
                throw JSONParseError(.duplicateKey(key), at: keyOffset)
            }
            skipWhitespace()
            if try consumeSeparator(closing: UInt8(ascii: "}"), expected: "',' or '}' after an object member") {
                depth -= 1
                return .object(members)
            }
            skipWhitespace()
        }
    }

    private mutating func parseArray() throws(JSONParseError) -> JSONValue {
        try enterContainer()
        var elements: [JSONValue] = []
        skipWhitespace()
        if peek() == UInt8(ascii: "]") {
            position += 1
            depth -= 1
            return .array(elements)
        }
        while true {
            elements.append(try parseValue())
            skipWhitespace()
            if try consumeSeparator(closing: UInt8(ascii: "]"), expected: "',' or ']' after an array element") {
                depth -= 1
                return .array(elements)
            }
            skipWhitespace()
        }
    }

    /// Consumes the opening bracket, counting the depth.
    private mutating func enterContainer() throws(JSONParseError) {
        guard depth < Self.maximumDepth else {
            throw JSONParseError(.nestingTooDeep(limit: Self.maximumDepth), at: position)
        }
        depth += 1
        position += 1
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

    /// Parses a string starting at its opening quote. Unescaped runs are validated in place and copied once.
    private mutating func parseString() throws(JSONParseError) -> String {
        position += 1
        var runStart = position
        // Most strings have no escape and decode straight from the input; an empty array allocates nothing.
        var unescaped: [UInt8] = []
        var hasEscapes = false
        while let byte = peek() {
            switch byte {
            case UInt8(ascii: "\""):
                let run = UnsafeBufferPointer(rebasing: input[runStart..<position])
                position += 1
                guard hasEscapes else { return String(decoding: run, as: UTF8.self) }
                unescaped.append(contentsOf: run)
                return String(decoding: unescaped, as: UTF8.self)
            case UInt8(ascii: "\\"):
                hasEscapes = true
                unescaped.append(contentsOf: UnsafeBufferPointer(rebasing: input[runStart..<position]))
                try parseEscape(into: &unescaped)
                runStart = position
            case 0x00..<0x20:
                throw JSONParseError(.unescapedControlCharacter(byte), at: position)
            case 0x20..<0x80:
                position += 1
            default:
                try skipMultiByteScalar()
            }
        }
        throw JSONParseError(.unexpectedEnd(expected: "'\"' to close the string"), at: position)
    }

    /// Validates one multi-byte UTF-8 sequence (Unicode table 3-7: no overlong forms, no surrogates, nothing
    /// above U+10FFFF).
    private mutating func skipMultiByteScalar() throws(JSONParseError) {
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
        for index in 1..<length {
            let expected = index == 1 ? secondByteRange : 0x80...0xBF
            guard position + index < input.count, expected.contains(input[position + index]) else {
                throw JSONParseError(.invalidUTF8, at: position)
            }
        }
        position += length
    }

    /// Decodes the escape at the backslash under `position`, appending its UTF-8 to `output`.
    private mutating func parseEscape(into output: inout [UInt8]) throws(JSONParseError) {
        let escapeOffset = position
        guard position + 1 < input.count else { throw JSONParseError(.invalidEscape, at: escapeOffset) }
        let letter = input[position + 1]
        position += 2
        switch letter {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): output.append(letter)
        case UInt8(ascii: "b"): output.append(0x08)
        case UInt8(ascii: "f"): output.append(0x0C)
        case UInt8(ascii: "n"): output.append(0x0A)
        case UInt8(ascii: "r"): output.append(0x0D)
        case UInt8(ascii: "t"): output.append(0x09)
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
            output.append(contentsOf: UTF8.encode(Unicode.Scalar(scalarValue)!)!)
        default:
            throw JSONParseError(.invalidEscape, at: escapeOffset)
        }
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

    /// Checks `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?` and returns the lexeme unchanged.
    private mutating func parseNumber() throws(JSONParseError) -> String {
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
        return String(decoding: UnsafeBufferPointer(rebasing: input[start..<position]), as: UTF8.self)
    }

    private mutating func skipDigits() {
        while let byte = peek(), isDigit(byte) { position += 1 }
    }

    private func isDigit(_ byte: UInt8) -> Bool {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
    }

    private mutating func consumeLiteral(_ literal: String) throws(JSONParseError) {
        for byte in literal.utf8 {
            guard peek() == byte else { throw unexpected(expected: "'\(literal)'") }
            position += 1
        }
    }

    // MARK: Bytes

    private func peek() -> UInt8? {
        position < input.count ? input[position] : nil
    }

    private mutating func skipWhitespace() {
        while let byte = peek(),
            byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\r")
                || byte == UInt8(ascii: "\t")
        {
            position += 1
        }
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
