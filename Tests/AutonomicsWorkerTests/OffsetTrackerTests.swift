import Testing

@testable import AutonomicsWorker

@Suite("Offset tracking")
struct OffsetTrackerTests {
    @Test("the commit point moves only past a finished prefix, whatever order records finish in")
    func commitPointFollowsPrefix() {
        var tracker = OffsetTracker<String>()
        #expect(tracker.committableOffset == nil)
        tracker.begin(10, pending: "a")
        tracker.skip(11)
        tracker.begin(12, pending: "c")
        tracker.begin(15, pending: "d")   // offsets 13 and 14 are a hole (compaction, transaction markers)
        tracker.finish(12)
        #expect(tracker.committableOffset == nil, "10 is still in flight")
        #expect(tracker.pending(at: 10) == "a")
        #expect(tracker.pending(at: 12) == nil)
        tracker.finish(10)
        #expect(tracker.committableOffset == 13)
        tracker.finish(15)
        #expect(tracker.committableOffset == 16)
        tracker.skip(16)
        #expect(tracker.committableOffset == 17)
    }

    @Test("finishing an unknown or finished offset changes nothing")
    func unknownOffsets() {
        var tracker = OffsetTracker<Int>()
        tracker.begin(5, pending: 1)
        tracker.finish(4)
        tracker.finish(6)
        #expect(tracker.committableOffset == nil)
        tracker.finish(5)
        tracker.finish(5)
        #expect(tracker.committableOffset == 6)
    }

    @Test("delivery tokens round-trip partition, offset and destination", arguments: [
        (0, 0, false), (7, 123_456_789, true), (65_535, (1 << 47) - 1, true),
    ] as [(Int32, Int64, Bool)])
    func deliveryTokens(partition: Int32, offset: Int64, isDeadLetter: Bool) {
        let token = DeliveryToken(partition: partition, offset: offset, isDeadLetter: isDeadLetter)
        #expect(DeliveryToken(rawValue: token.rawValue) == token)
    }
}
