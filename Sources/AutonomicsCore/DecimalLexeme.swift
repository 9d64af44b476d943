/// A JSON number lexeme read as an exact decimal, for range checks that binary floating point gets wrong
/// (`100.00000000000000001` is not 100) and without allocating.
struct DecimalLexeme: Comparable {
    private let lexeme: String
    private let isNegative: Bool
    private let isZero: Bool
    /// The value is 0.d₁d₂d₃… × 10^exponent with d₁ ≠ 0 (unless zero).
    private let exponent: Int64

    /// `lexeme` must follow the JSON number grammar, as every ``JSONValue/number(_:)`` from the parser does.
    init(_ lexeme: String) {
        self.lexeme = lexeme
        var isNegative = false
        var integerDigitCount: Int64 = 0
        var mantissaDigitCount: Int64 = 0
        var leadingZeroCount: Int64? = nil
        var inFraction = false
        var writtenExponent: Int64 = 0
        let utf8 = lexeme.utf8
        var index = utf8.startIndex
        scan: while index != utf8.endIndex {
            switch utf8[index] {
            case UInt8(ascii: "-"):
                isNegative = true
            case UInt8(ascii: "."):
                inFraction = true
            case UInt8(ascii: "e"), UInt8(ascii: "E"):
                writtenExponent = Self.saturatingExponent(utf8[utf8.index(after: index)...])
                break scan
            case let digit:
                if digit != UInt8(ascii: "0") && leadingZeroCount == nil { leadingZeroCount = mantissaDigitCount }
                mantissaDigitCount += 1
                if !inFraction { integerDigitCount += 1 }
            }
            index = utf8.index(after: index)
        }
        self.isNegative = isNegative
        self.isZero = leadingZeroCount == nil
        self.exponent = integerDigitCount - (leadingZeroCount ?? 0) + writtenExponent
    }

    static func < (lhs: DecimalLexeme, rhs: DecimalLexeme) -> Bool {
        switch (lhs.sign, rhs.sign) {
        case (let left, let right) where left != right: return left < right
        case (0, _): return false
        case (1, _): return lhs.compareMagnitude(to: rhs) < 0
        default: return lhs.compareMagnitude(to: rhs) > 0
        }
    }

    static func == (lhs: DecimalLexeme, rhs: DecimalLexeme) -> Bool {
        lhs.sign == rhs.sign && (lhs.isZero || lhs.compareMagnitude(to: rhs) == 0)
    }

    /// -1, 0 or 1; `-0` is 0.
    private var sign: Int {
        isZero ? 0 : isNegative ? -1 : 1
    }

    /// The mantissa digits from the first non-zero one on.
    private var significantDigits: some Sequence<UInt8> {
        lexeme.utf8.lazy
            .prefix { $0 != UInt8(ascii: "e") && $0 != UInt8(ascii: "E") }
            .filter { $0 != UInt8(ascii: "-") && $0 != UInt8(ascii: ".") }
            .drop { $0 == UInt8(ascii: "0") }
    }

    /// Compares absolute values of two non-zero numbers: -1, 0 or 1.
    private func compareMagnitude(to other: DecimalLexeme) -> Int {
        if exponent != other.exponent { return exponent < other.exponent ? -1 : 1 }
        // Same exponent: compare digit by digit, the shorter one padded with zeros.
        var left = significantDigits.makeIterator()
        var right = other.significantDigits.makeIterator()
        while true {
            let leftDigit = left.next()
            let rightDigit = right.next()
            if leftDigit == nil && rightDigit == nil { return 0 }
            let l = leftDigit ?? UInt8(ascii: "0")
            let r = rightDigit ?? UInt8(ascii: "0")
            if l != r { return l < r ? -1 : 1 }
        }
    }

    /// The exponent after `e`, clamped far beyond any mantissa length so that `1e99999999999999999999` stays huge.
    private static func saturatingExponent(_ text: Substring.UTF8View) -> Int64 {
        let limit: Int64 = 1 << 40
        var value: Int64 = 0
        var isNegative = false
        for byte in text {
            switch byte {
            case UInt8(ascii: "-"): isNegative = true
            case UInt8(ascii: "0")...UInt8(ascii: "9"): value = min(limit, value * 10 + Int64(byte - UInt8(ascii: "0")))
            default: continue
            }
        }
        return isNegative ? -value : value
    }
}
