import AutonomicsTestSupport
import Kafka
import Logging
import Testing

@Suite("Producer and consumer against the mock cluster")
struct ProducerConsumerTests {
    @Test("Records round-trip byte for byte, including NULL, empty, non-UTF-8 and huge fields")
    func recordsRoundTrip() async throws {
        // librdkafka calls block: run them off the cooperative pool.
        try await offThePool {
            let cluster = try KafkaMockCluster(brokers: 1, logger: testLogger)
            let topic = uniqueName("round-trip")
            try cluster.createTopic(topic, partitions: 1)
            let sent = [
                KafkaMessage(
                    topic: topic,
                    partition: 0,
                    offset: 0,
                    key: bytes("key"),
                    value: bytes("value"),
                    headers: [
                        KafkaHeader(name: "text", value: bytes("a")),
                        KafkaHeader(name: "null", value: nil),
                        KafkaHeader(name: "empty", value: []),
                        KafkaHeader(name: "huge", value: [UInt8](repeating: 0xAB, count: 100 * 1024)),
                        KafkaHeader(name: "text", value: bytes("repeated name")),
                    ],
                    timestamp: 1_700_000_000_000
                ),
                // A tombstone with a NULL key.
                KafkaMessage(topic: topic, partition: 0, offset: 1, key: nil, value: nil),
                KafkaMessage(topic: topic, partition: 0, offset: 2, key: [], value: []),
                KafkaMessage(
                    topic: topic,
                    partition: 0,
                    offset: 3,
                    key: [0xFF, 0x00, 0xFE],
                    value: [0xC3, 0x28, 0x00, 0xFF],
                    headers: [KafkaHeader(name: "binary", value: [0x80, 0x00, 0xFF])]
                ),
            ]
            let reports = DeliveryReports()
            let producer = try makeProducer(cluster, reports: reports)
            for (token, message) in sent.enumerated() {
                try producer.produce(
                    topic: topic,
                    partition: 0,
                    key: message.key,
                    value: message.value,
                    headers: message.headers,
                    timestamp: message.timestamp,
                    token: UInt64(token)
                )
            }
            try producer.flush(timeout: .seconds(10))
            #expect(reports.all.map(\.error?.code) == [nil, nil, nil, nil])

            let consumer = try KafkaConsumer(
                properties: consumerProperties(cluster, group: uniqueName("reader")),
                logger: testLogger
            )
            try consumer.assign([KafkaTopicPartitionOffset(topic: topic, partition: 0, offset: KafkaOffset.beginning)])
            let received = try poll(consumer) { $0.count >= sent.count }

            #expect(received.count == sent.count)
            for (got, expected) in zip(received, sent) {
                #expect(got.topic == expected.topic)
                #expect(got.partition == expected.partition)
                #expect(got.offset == expected.offset)
                #expect(got.key == expected.key)
                #expect(got.value == expected.value)
                // Names and sizes first: printing a 100 KiB header on failure helps nobody.
                #expect(got.headers.map(\.name) == expected.headers.map(\.name))
                #expect(got.headers.map(\.value?.count) == expected.headers.map(\.value?.count))
                let sameHeaderBytes = got.headers == expected.headers
                #expect(sameHeaderBytes)
            }
            #expect(received.first?.timestamp == 1_700_000_000_000)
            // Without an explicit timestamp, the producer stamps the create time.
            #expect(received.last?.timestamp != nil)
        }
    }

    @Test("Delivery reports carry the token, partition and offset of each message")
    func deliveryReports() async throws {
        // librdkafka calls block: run them off the cooperative pool.
        try await offThePool {
            let cluster = try KafkaMockCluster(logger: testLogger)
            let topic = uniqueName("reports")
            try cluster.createTopic(topic, partitions: 3)
            let reports = DeliveryReports()
            let producer = try makeProducer(cluster, reports: reports)
            // The token travels as a pointer: the extremes must survive.
            let tokens: [UInt64] = [0, 1, 2, 3, 4, .max]
            for (index, token) in tokens.enumerated() {
                try producer.produce(
                    topic: topic,
                    partition: Int32(index % 3),
                    key: nil,
                    value: bytes("\(index)"),
                    headers: [],
                    token: token
                )
            }
            try producer.flush(timeout: .seconds(10))
            #expect(producer.outstandingMessages == 0)

            let byToken = Dictionary(uniqueKeysWithValues: reports.all.map { ($0.token, $0) })
            #expect(Set(byToken.keys) == Set(tokens))
            for (index, token) in tokens.enumerated() {
                let report = try #require(byToken[token])
                #expect(report.error == nil)
                #expect(report.topic == topic)
                #expect(report.partition == Int32(index % 3))
                // Two messages per partition, in order.
                #expect(report.offset == Int64(index / 3))
            }
        }
    }

    @Test("Positions, watermarks and seek")
    func positionsWatermarksAndSeek() async throws {
        // librdkafka calls block: run them off the cooperative pool.
        try await offThePool {
            let cluster = try KafkaMockCluster(brokers: 1, logger: testLogger)
            let topic = uniqueName("seek")
            try cluster.createTopic(topic, partitions: 1)
            let producer = try makeProducer(cluster, reports: DeliveryReports())
            try produceNumbered(producer, topic: topic, 0..<5)
            try producer.flush(timeout: .seconds(10))
            let partition = KafkaTopicPartition(topic: topic, partition: 0)

            let consumer = try KafkaConsumer(
                properties: consumerProperties(cluster, group: uniqueName("reader")),
                logger: testLogger
            )
            #expect(consumer.cachedWatermarks(partition) == nil)
            try consumer.assign([KafkaTopicPartitionOffset(topic: topic, partition: 0, offset: KafkaOffset.beginning)])
            #expect(try consumer.assignment() == [partition])
            _ = try poll(consumer) { $0.count >= 5 }

            #expect(consumer.positions([partition]).map(\.offset) == [5])
            let watermarks = try consumer.queryWatermarks(partition, timeout: .seconds(5))
            #expect(watermarks.low == 0 && watermarks.high == 5)
            #expect(consumer.cachedWatermarks(partition)?.high == 5)

            try consumer.seek(KafkaTopicPartitionOffset(topic: topic, partition: 0, offset: 2), timeout: .seconds(5))
            let replayed = try poll(consumer) { $0.count >= 3 }
            #expect(replayed.map(\.offset) == [2, 3, 4])
        }
    }

    @Test("Pause stops delivery for a partition and resume restarts it")
    func pauseAndResume() async throws {
        // librdkafka calls block: run them off the cooperative pool.
        try await offThePool {
            let cluster = try KafkaMockCluster(brokers: 1, logger: testLogger)
            let topic = uniqueName("pause")
            try cluster.createTopic(topic, partitions: 2)
            let paused = KafkaTopicPartition(topic: topic, partition: 0)
            let consumer = try KafkaConsumer(
                properties: consumerProperties(cluster, group: uniqueName("reader")),
                logger: testLogger
            )
            try consumer.assign(
                (0..<2).map { KafkaTopicPartitionOffset(topic: topic, partition: $0, offset: KafkaOffset.beginning) }
            )
            try consumer.pause([paused])

            let producer = try makeProducer(cluster, reports: DeliveryReports())
            try produceNumbered(producer, topic: topic, 0..<10, partition: { Int32($0 % 2) })
            try producer.flush(timeout: .seconds(10))

            // All of partition 1 arrives; then give partition 0 ample time to (wrongly) arrive as well.
            var received = try poll(consumer) { $0.count(where: { $0.partition == 1 }) >= 5 }
            let settle = ContinuousClock.now + .milliseconds(500)
            while ContinuousClock.now < settle {
                received += try consumer.poll(maxMessages: 100, timeout: .milliseconds(100))
            }
            #expect(received.allSatisfy { $0.partition == 1 })

            try consumer.resume([paused])
            let resumed = try poll(consumer) { $0.count >= 5 }
            #expect(resumed.map(\.partition) == [0, 0, 0, 0, 0])
        }
    }

    @Test("Partition count comes from metadata; an unknown topic throws")
    func partitionCount() async throws {
        // librdkafka calls block: run them off the cooperative pool.
        try await offThePool {
            let cluster = try KafkaMockCluster(logger: testLogger)
            let topic = uniqueName("count")
            try cluster.createTopic(topic, partitions: 6)
            let consumer = try KafkaConsumer(
                properties: consumerProperties(cluster, group: uniqueName("reader")),
                logger: testLogger
            )
            let producer = try makeProducer(cluster, reports: DeliveryReports())

            #expect(try consumer.partitionCount(topic: topic, timeout: .seconds(5)) == 6)
            #expect(try producer.partitionCount(topic: topic, timeout: .seconds(5)) == 6)
            let error = #expect(throws: KafkaError.self) {
                try producer.partitionCount(topic: uniqueName("missing"), timeout: .seconds(5))
            }
            #expect(error?.code == .unknownTopic)
        }
    }

    @Test("Preparing topics checks that they exist; a prepared topic takes messages")
    func prepareTopics() async throws {
        // librdkafka calls block: run them off the cooperative pool.
        try await offThePool {
            let cluster = try KafkaMockCluster(logger: testLogger)
            let topic = uniqueName("prepared")
            try cluster.createTopic(topic, partitions: 2)
            let reports = DeliveryReports()
            let producer = try makeProducer(cluster, reports: reports)

            try producer.prepare(topics: [topic], timeout: .seconds(5))
            try producer.produce(topic: topic, partition: nil, key: [1], value: [2], headers: [], token: 7)
            try producer.flush(timeout: .seconds(5))
            #expect(reports.all.map(\.token) == [7])
            #expect(reports.all.first?.error == nil)

            let error = #expect(throws: KafkaError.self) {
                try producer.prepare(topics: [uniqueName("missing")], timeout: .seconds(5))
            }
            #expect(error?.code == .unknownTopic)
        }
    }

    @Test("A consumer without group.id is refused")
    func consumerNeedsGroup() async throws {
        // librdkafka calls block: run them off the cooperative pool.
        try await offThePool {
            let cluster = try KafkaMockCluster(brokers: 1, logger: testLogger)
            #expect(throws: KafkaError.self) {
                try KafkaConsumer(properties: ["bootstrap.servers": cluster.bootstrapServers], logger: testLogger)
            }
        }
    }

    @Test("librdkafka's logs reach the Logger from the poll call; a shared property's notice is not a warning")
    func logsAreServedByPoll() async throws {
        // librdkafka calls block: run them off the cooperative pool.
        try await offThePool {
            let cluster = try KafkaMockCluster(brokers: 1, logger: testLogger)
            let recorder = LogRecorder()
            let producer = try KafkaProducer(
                // A consumer property makes librdkafka log a configuration notice while the producer is created.
                properties: ["bootstrap.servers": cluster.bootstrapServers, "auto.offset.reset": "earliest"],
                logger: recorder.logger(),
                deliveryReport: { _ in }
            )
            #expect(recorder.entries.isEmpty)
            producer.poll()
            let notice = try #require(recorder.entries.first { $0.metadata["kafka.log.facility"] == "CONFWARN" })
            #expect(notice.message.contains("auto.offset.reset is a consumer property"))
            // Programs share one set of pass-through properties between their consumers and producers.
            #expect(notice.level == .debug)
        }
    }
}
