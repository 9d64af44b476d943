/// Lowercase hexadecimal, as used for hashes in receipts and event ids.
enum Hex {
    private static let digits = Array("0123456789abcdef".utf8)

    static func string(_ bytes: some Collection<UInt8>) -> String {
        String(unsafeUninitializedCapacity: bytes.count * 2) { buffer in
            write(bytes, to: buffer)
            return bytes.count * 2
        }
    }

    /// Writes the digits of `bytes` to the start of `output`, which must have room for two per byte.
    static func write(_ bytes: some Collection<UInt8>, to output: UnsafeMutableBufferPointer<UInt8>) {
        var index = 0
        for byte in bytes {
            output[index] = digits[Int(byte >> 4)]
            output[index + 1] = digits[Int(byte & 0x0F)]
            index += 2
        }
    }

    /// The value of one hex digit, either case.
    static func value(of digit: UInt8) -> UInt8? {
        switch digit {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return digit - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return digit - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return digit - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}
