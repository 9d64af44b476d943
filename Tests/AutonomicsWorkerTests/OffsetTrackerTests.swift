import Testing

@testable import AutonomicsWorker

@Suite("Offset tracking")
struct OffsetTrackerTests {
    @Test("the commit point moves only past a finished prefix, whatever order records finish in")
    func commitPointFollowsPrefix() {
        var tracker = OffsetTracker()
        #expect(tracker.committableOffset == nil)
        tracker.begin(10)
        tracker.begin(11)
        tracker.begin(12)
        tracker.begin(15)   // offsets 13 and 14 are a hole (compaction, transaction markers)
        tracker.finish(12)
        tracker.finish(11)
        #expect(tracker.committableOffset == nil, "10 is still in flight")
        #expect(tracker.unfinishedCount == 2)
        tracker.finish(10)
        #expect(tracker.committableOffset == 13)
        tracker.finish(15)
        #expect(tracker.committableOffset == 16)
        #expect(tracker.unfinishedCount == 0)
    }

    @Test("finishing an unknown or finished offset changes nothing")
    func unknownOffsets() {
        var tracker = OffsetTracker()
        tracker.begin(5)
        tracker.finish(4)
        tracker.finish(6)
        #expect(tracker.committableOffset == nil)
        tracker.finish(5)
        tracker.finish(5)
        #expect(tracker.committableOffset == 6)
        #expect(tracker.unfinishedCount == 0)
    }

    @Test("output tokens round-trip shard and serial", arguments: [
        (0, 0), (7, 123_456_789), (255, (1 << 56) - 1),
    ] as [(Int, UInt64)])
    func outputTokens(shard: Int, serial: UInt64) {
        let token = OutputToken(shard: shard, serial: serial)
        #expect(OutputToken(rawValue: token.rawValue) == token)
    }
}
