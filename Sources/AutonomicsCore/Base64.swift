/// Base64 (RFC 4648) for Pub/Sub message data.
enum Base64 {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    /// Sextet per byte, 0xFF for bytes outside both alphabets. Standard (`+/`) and URL-safe (`-_`) are both
    /// accepted because bridges re-encode Pub/Sub data either way.
    private static let sextets: [UInt8] = {
        var table = [UInt8](repeating: 0xFF, count: 256)
        for (value, byte) in alphabet.enumerated() { table[Int(byte)] = UInt8(value) }
        table[Int(UInt8(ascii: "-"))] = 62
        table[Int(UInt8(ascii: "_"))] = 63
        return table
    }()

    /// Decodes standard or URL-safe base64 with or without `=` padding; nil for any other byte, misplaced or
    /// wrong padding, or a length no encoder produces.
    static func decode(_ text: String) -> [UInt8]? {
        var text = text
        return text.withUTF8(decode)
    }

    /// ``decode(_:)-(String)`` over UTF-8 bytes.
    static func decode(_ text: UnsafeBufferPointer<UInt8>) -> [UInt8]? {
        var body = text[...]
        if body.count % 4 == 0 {
            // Padding is optional, but when present it must be complete.
            if body.last == UInt8(ascii: "=") { body = body.dropLast() }
            if body.last == UInt8(ascii: "=") { body = body.dropLast() }
        }
        guard body.count % 4 != 1 else { return nil }

        var isValid = true
        let output = [UInt8](unsafeUninitializedCapacity: body.count * 3 / 4) { output, count in
            var accumulator: UInt32 = 0
            var bitCount = 0
            for byte in body {
                let sextet = sextets[Int(byte)]
                guard sextet != 0xFF else {
                    isValid = false
                    break
                }
                accumulator = accumulator << 6 | UInt32(sextet)
                bitCount += 6
                if bitCount >= 8 {
                    bitCount -= 8
                    output[count] = UInt8(truncatingIfNeeded: accumulator >> UInt32(bitCount))
                    count += 1
                }
            }
        }
        return isValid ? output : nil
    }

    /// Standard alphabet with padding, as Pub/Sub sends.
    static func encode(_ bytes: some Collection<UInt8>) -> String {
        var output: [UInt8] = []
        output.reserveCapacity((bytes.count + 2) / 3 * 4)
        var iterator = bytes.makeIterator()
        while let first = iterator.next() {
            let second = iterator.next()
            let third = iterator.next()
            let group = UInt32(first) << 16 | UInt32(second ?? 0) << 8 | UInt32(third ?? 0)
            output.append(alphabet[Int(group >> 18 & 0x3F)])
            output.append(alphabet[Int(group >> 12 & 0x3F)])
            output.append(second == nil ? UInt8(ascii: "=") : alphabet[Int(group >> 6 & 0x3F)])
            output.append(third == nil ? UInt8(ascii: "=") : alphabet[Int(group & 0x3F)])
        }
        return String(decoding: output, as: UTF8.self)
    }
}
