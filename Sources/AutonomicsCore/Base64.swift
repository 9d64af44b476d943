/// Base64 (RFC 4648) for Pub/Sub message data.
public enum Base64 {
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
    public static func decode(_ text: String) -> [UInt8]? {
        text.withUTF8Bytes(decode)
    }

    /// Decodes UTF-8 text the same way.
    static func decode(_ text: UnsafeBufferPointer<UInt8>) -> [UInt8]? {
        var body = text[...]
        if body.count % 4 == 0 {
            // Padding is optional, but when present it must be complete.
            if body.last == UInt8(ascii: "=") { body = body.dropLast() }
            if body.last == UInt8(ascii: "=") { body = body.dropLast() }
        }
        guard body.count % 4 != 1 else { return nil }
        return sextets.withUnsafeBufferPointer { decode(UnsafeBufferPointer(rebasing: body), sextets: $0) }
    }

    /// Decodes unpadded base64 whose length is not 1 modulo 4.
    private static func decode(_ body: UnsafeBufferPointer<UInt8>, sextets: UnsafeBufferPointer<UInt8>) -> [UInt8]? {
        var isValid = true
        // Each group of four characters makes three bytes; two or three left over make one or two.
        let output = [UInt8](unsafeUninitializedCapacity: body.count * 3 / 4) { output, count in
            var bits: UInt32 = 0
            var index = 0
            while index < body.count {
                let groupEnd = min(index + 4, body.count)
                var combined: UInt8 = 0
                for offset in index..<groupEnd {
                    let sextet = sextets[Int(body[offset])]
                    combined |= sextet
                    bits = bits << 6 | UInt32(sextet)
                }
                // Sextets are below 64; the marker for other bytes is not.
                guard combined < 64 else {
                    isValid = false
                    return
                }
                switch groupEnd - index {
                case 4:
                    output[count] = UInt8(truncatingIfNeeded: bits >> 16)
                    output[count + 1] = UInt8(truncatingIfNeeded: bits >> 8)
                    output[count + 2] = UInt8(truncatingIfNeeded: bits)
                    count += 3
                case 3:
                    output[count] = UInt8(truncatingIfNeeded: bits >> 10)
                    output[count + 1] = UInt8(truncatingIfNeeded: bits >> 2)
                    count += 2
                default:
                    output[count] = UInt8(truncatingIfNeeded: bits >> 4)
                    count += 1
                }
                index = groupEnd
            }
        }
        return isValid ? output : nil
    }

    /// Standard alphabet with padding, as Pub/Sub sends.
    public static func encode(_ bytes: some Collection<UInt8>) -> String {
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
