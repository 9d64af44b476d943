import AutonomicsTestSupport
import Kafka
import Testing

@Suite("Consumer groups against the mock cluster")
struct ConsumerGroupTests {
    @Test("A new consumer in the group resumes after the committed offset")
    func resumeAfterCommit() async throws {
        // librdkafka calls block: run them off the cooperative pool.
        try await offThePool {
            let cluster = try KafkaMockCluster(logger: testLogger)
            let topic = uniqueName("resume")
            let group = uniqueName("group")
            try cluster.createTopic(topic, partitions: 1)
            let producer = try makeProducer(cluster, reports: DeliveryReports())
            try produceNumbered(producer, topic: topic, 0..<10)
            try producer.flush(timeout: .seconds(10))
            let partition = KafkaTopicPartition(topic: topic, partition: 0)

            do {
                let first = try KafkaConsumer(properties: consumerProperties(cluster, group: group), logger: testLogger)
                try first.subscribe([topic])
                _ = try poll(first) { $0.count >= 10 }
                // Only offsets 0...5 were processed: the next one to consume is 6.
                try first.storeOffsets([KafkaTopicPartitionOffset(topic: topic, partition: 0, offset: 6)])
                try first.commit()
                #expect(try first.committed([partition], timeout: .seconds(5)).map(\.offset) == [6])
                first.close()
                first.close()  // Idempotent.
            }

            let second = try KafkaConsumer(properties: consumerProperties(cluster, group: group), logger: testLogger)
            try second.subscribe([topic])
            let resumed = try poll(second) { $0.count >= 4 }
            #expect(resumed.map(\.offset) == [6, 7, 8, 9])
            second.close()
        }
    }

    @Test("Two consumers share partitions by range and a rebalance loses no message")
    func rebalanceLosesNothing() async throws {
        // librdkafka calls block: run them off the cooperative pool.
        try await offThePool {
            let cluster = try KafkaMockCluster(logger: testLogger)
            let topic = uniqueName("shared")
            let group = uniqueName("group")
            try cluster.createTopic(topic, partitions: 4)
            let allPartitions = Set((0..<4).map { KafkaTopicPartition(topic: topic, partition: $0) })
            let reports = DeliveryReports()
            let producer = try makeProducer(cluster, reports: reports)
            func produce(_ range: Range<Int>) throws {
                try produceNumbered(producer, topic: topic, range, partition: { _ in nil }, key: { bytes("key-\($0)") })
                try producer.flush(timeout: .seconds(10))
            }

            var seen = Set<KafkaTopicPartitionOffset>()
            var first: Member! = try Member(cluster: cluster, group: group, topic: topic)
            let second = try Member(cluster: cluster, group: group, topic: topic)
            func allDelivered() -> Bool {
                reports.all.allSatisfy {
                    seen.contains(KafkaTopicPartitionOffset(topic: $0.topic, partition: $0.partition, offset: $0.offset))
                }
            }
            func pollMembers(_ members: [Member], until isDone: () throws -> Bool) throws {
                let deadline = ContinuousClock.now + .seconds(30)
                while try !isDone() {
                    guard ContinuousClock.now < deadline else {
                        throw TestTimeout(description: "seen \(seen.count) messages")
                    }
                    for member in members {
                        seen.formUnion(try member.poll())
                    }
                }
            }

            try produce(0..<20)
            try first.consumer.subscribe([topic])
            try pollMembers([first]) { allDelivered() }

            // The second member joins: range gives each two partitions.
            try second.consumer.subscribe([topic])
            try pollMembers([first, second]) {
                try first.consumer.assignment().count == 2 && second.consumer.assignment().count == 2
            }
            #expect(Set(try first.consumer.assignment()).union(try second.consumer.assignment()) == allPartitions)
            try produce(20..<40)
            try pollMembers([first, second]) { allDelivered() }

            // The first member leaves, committing on revoke: the second takes over everything.
            let revocationsBeforeClose = first.revocations
            first.consumer.close()
            #expect(first.revocations == revocationsBeforeClose + 1)
            first = nil
            try pollMembers([second]) { try second.consumer.assignment().count == 4 }
            try produce(40..<60)
            try pollMembers([second]) { allDelivered() }
            #expect(reports.all.count == 60)
            second.consumer.close()
        }
    }
}

/// A group member that stores offsets after each batch and commits them when its partitions are revoked.
private final class Member {
    private(set) var consumer: KafkaConsumer!
    private(set) var revocations = 0

    init(cluster: KafkaMockCluster, group: String, topic: String) throws {
        // The closure only runs inside the consumer's poll or close, while this member is alive.
        self.consumer = try KafkaConsumer(
            properties: consumerProperties(cluster, group: group),
            logger: testLogger,
            rebalance: { [unowned self] event in
                guard case .revoke(_, let lost) = event else { return }
                self.revocations += 1
                if !lost {
                    try? self.consumer.commit()
                }
            }
        )
    }

    /// One poll; returns what it got and stores the next offset of each partition it got messages from.
    func poll() throws -> [KafkaTopicPartitionOffset] {
        let messages = try self.consumer.poll(maxMessages: 100, timeout: .milliseconds(100))
        var next: [KafkaTopicPartition: Int64] = [:]
        for message in messages {
            next[message.topicPartition] = max(next[message.topicPartition] ?? 0, message.offset + 1)
        }
        try self.consumer.storeOffsets(
            next.map { KafkaTopicPartitionOffset(topic: $0.key.topic, partition: $0.key.partition, offset: $0.value) }
        )
        return messages.map { KafkaTopicPartitionOffset(topic: $0.topic, partition: $0.partition, offset: $0.offset) }
    }
}

@Suite("Stale messages after a revoke")
struct StaleMessageTests {
    @Test("A poll never returns a message of a partition revoked during that poll", .timeLimit(.minutes(2)))
    func revokedDuringPoll() async throws {
        try await offThePool {
            let cluster = try KafkaMockCluster(logger: testLogger)
            let topic = uniqueName("stale")
            let group = uniqueName("group")
            try cluster.createTopic(topic, partitions: 4)
            let producer = try makeProducer(cluster, reports: DeliveryReports())
            try produceNumbered(producer, topic: topic, 0..<40_000, partition: { Int32($0 % 4) })
            try producer.flush(timeout: .seconds(30))

            let first = try KafkaConsumer(properties: consumerProperties(cluster, group: group), logger: testLogger)
            try first.subscribe([topic])
            _ = try poll(first) { !$0.isEmpty }
            // The first member stops polling while librdkafka keeps prefetching into its queue; a second member joins,
            // so the revocation arrives while thousands of fetched messages of the revoked partitions wait. (librdkafka
            // 2.0.2 serves the rebalance first and drops those messages itself; the consumer also drops any put into a
            // batch before a revocation served within the same poll, a race no test here provokes reliably.)
            let second = try KafkaConsumer(properties: consumerProperties(cluster, group: group), logger: testLogger)
            try second.subscribe([topic])
            // The first member learns of the rebalance from its heartbeat (every 500 ms) while it does not poll.
            let heartbeats = ContinuousClock.now + .seconds(2)
            while ContinuousClock.now < heartbeats {
                _ = try second.poll(maxMessages: 100, timeout: .milliseconds(100))
            }
            let deadline = ContinuousClock.now + .seconds(60)
            while try second.assignment().isEmpty && ContinuousClock.now < deadline {
                let batch = try first.poll(maxMessages: 100_000, timeout: .milliseconds(100))
                let owned = Set(try first.assignment())
                #expect(batch.allSatisfy { owned.contains($0.topicPartition) }, "every returned message's partition is still owned")
                _ = try second.poll(maxMessages: 100, timeout: .milliseconds(100))
            }
            #expect(try !second.assignment().isEmpty)
            first.close()
            second.close()
        }
    }
}
