import Testing

@testable import AutonomicsCore

@Suite("Exact decimal comparison")
struct DecimalLexemeTests {
    enum Order { case less, equal, greater }

    static let comparisons: [(left: String, right: String, order: Order)] = [
        ("100", "1e2", .equal),
        ("1E+2", "100", .equal),
        ("10e1", "100", .equal),
        ("0.5e3", "500", .equal),
        ("100.000", "100", .equal),
        ("-0", "0", .equal),
        ("0.000e5", "0", .equal),
        ("100.0001", "100", .greater),
        ("100.00000000000000000001", "100", .greater),
        ("99.99999999999999999999", "100", .less),
        ("0.01", "0.1", .less),
        ("-0.01", "-0.1", .greater),
        ("-1", "0", .less),
        ("-2", "-1", .less),
        ("-0.0001", "0", .less),
        ("1e-99999999999999999999", "0", .greater),
        ("1e99999999999999999999", "100", .greater),
        ("0.835", "1", .less),
        ("007", "7", .equal),
    ]

    @Test("compares exactly", arguments: comparisons)
    func compares(left: String, right: String, order: Order) {
        let (l, r) = (DecimalLexeme(left), DecimalLexeme(right))
        #expect((l < r) == (order == .less))
        #expect((l == r) == (order == .equal))
        #expect((l > r) == (order == .greater))
    }
}
