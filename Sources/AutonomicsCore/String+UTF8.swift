extension String {
    /// Calls `body` with the string's UTF-8 bytes. Unlike `withUTF8`, needs no mutable copy, which costs a retain
    /// and a release on every call of hot paths.
    func withUTF8Bytes<Result>(_ body: (UnsafeBufferPointer<UInt8>) -> Result) -> Result {
        if let result = utf8.withContiguousStorageIfAvailable(body) { return result }
        var contiguous = self
        return contiguous.withUTF8(body)
    }
}

extension StaticString {
    /// The UTF-8 bytes of a string literal, which live as long as the program.
    var utf8Bytes: UnsafeBufferPointer<UInt8> {
        UnsafeBufferPointer(start: utf8Start, count: utf8CodeUnitCount)
    }
}
