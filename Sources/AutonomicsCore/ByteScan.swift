/// Finds the bytes that end a plain run in a JSON string eight at a time, so that scanning strings (the bulk of
/// parsing and writing JSON) does not branch on every byte. Uses the classic word tests from "Bit Twiddling
/// Hacks": a word's lowest flagged byte is always a true match.
enum ByteScan {
    /// The index of the first byte from `start` that is a `"`, a `\` or a control character (below 0x20), or
    /// with `orNonASCII` above 0x7F; `bytes.count` if there is none.
    static func firstSpecialByte(in bytes: UnsafeBufferPointer<UInt8>, from start: Int, orNonASCII: Bool) -> Int {
        var index = start
        while index + 8 <= bytes.count {
            let word = UnsafeRawPointer(bytes.baseAddress! + index).loadUnaligned(as: UInt64.self)
            var flags =
                zeroBytes(word ^ repeated(UInt8(ascii: "\""))) | zeroBytes(word ^ repeated(UInt8(ascii: "\\")))
                | (word &- repeated(0x20)) & ~word & repeated(0x80)
            if orNonASCII { flags |= word & repeated(0x80) }
            if flags != 0 { return index + flags.trailingZeroBitCount / 8 }
            index += 8
        }
        while index < bytes.count {
            let byte = bytes[index]
            if byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") || (orNonASCII && byte >= 0x80) {
                return index
            }
            index += 1
        }
        return index
    }

    /// The high bit of each zero byte of `word` set (and possibly of bytes above the lowest one).
    private static func zeroBytes(_ word: UInt64) -> UInt64 {
        (word &- repeated(0x01)) & ~word & repeated(0x80)
    }

    private static func repeated(_ byte: UInt8) -> UInt64 {
        0x0101_0101_0101_0101 &* UInt64(byte)
    }
}
