import Kafka
import Testing

@testable import AutonomicsWorker

@Suite("In-flight table and input offsets")
struct InFlightTableTests {
    @Test("entries come back by serial in any order, once, and the window moves past reported ones")
    func removeInAnyOrder() {
        var table = InFlightTable<String>()
        let serials = ["a", "b", "c", "d"].map { table.insert($0) }
        #expect(serials == [1, 2, 3, 4])
        #expect(table.remove(3) == "c")
        #expect(table.remove(3) == nil, "a report is settled once")
        #expect(table.remove(1) == "a")
        #expect(table.remove(0) == nil && table.remove(99) == nil, "unknown serials find nothing")
        #expect(table.count == 2)
        #expect(table.insert("e") == 5, "serials keep increasing after removals")
        #expect([2, 4, 5].map { table.remove($0) } == ["b", "d", "e"])
        #expect(table.count == 0)
        #expect(table.insert("f") == 6)
    }

    @Test("releasing takes out the selected entries only")
    func release() {
        var table = InFlightTable<Int>()
        for value in 0..<10 { _ = table.insert(value) }
        #expect(table.removeAll { $0.isMultiple(of: 2) } == [0, 2, 4, 6, 8])
        #expect(table.count == 5)
        #expect(table.remove(1) == nil, "value 0 (serial 1) was released")
        #expect(table.remove(2) == 1)
        #expect(table.remove(10) == 9)
    }

    @Test("input offsets follow records of interleaved partitions and topics")
    func interleavedRuns() {
        let offsets = InputOffsets()
        func record(_ topic: String, _ partition: Int32, _ offset: Int64) -> KafkaMessage {
            KafkaMessage(topic: topic, partition: partition, offset: offset, key: nil, value: nil)
        }
        let batch = [record("a", 0, 1), record("a", 0, 2), record("a", 1, 7), record("b", 1, 3), record("a", 0, 3)]
        offsets.begin(batch)
        #expect(offsets.unfinished() == 5)
        offsets.finish([batch[4], batch[0], batch[3]])
        let committable = Dictionary(uniqueKeysWithValues: offsets.committable().map { ("\($0.topic)/\($0.partition)", $0.offset) })
        #expect(committable == ["a/0": 2, "b/1": 4], "a/0 stops before the unfinished offset 2; a/1 has nothing finished")
        #expect(offsets.unfinished(in: [KafkaTopicPartition(topic: "a", partition: 0)]) == 1)
    }
}
