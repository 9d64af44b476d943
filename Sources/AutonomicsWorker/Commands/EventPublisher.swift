import Kafka
import Logging
import Synchronization

/// `autonomics produce`: publishes events to a topic and waits until every one is acknowledged.
public final class EventPublisher {
    public struct Failed: Error, CustomStringConvertible {
        public var failures: [KafkaError]
        public var description: String {
            "\(failures.count) events were not delivered; first error: \(failures.first.map(String.init(describing:)) ?? "none")"
        }
    }

    /// Filled by the delivery-report callback, which runs inside `produce`/`flush` on the caller's thread.
    private final class FailureLog: Sendable {
        let errors = Mutex<[KafkaError]>([])
    }

    private let producer: KafkaProducer
    private let failures = FailureLog()

    public init(brokers: String, properties: [String: String], logger: Logger) throws {
        let clients = KafkaClientProperties(bootstrapServers: brokers, passThrough: properties, clientID: "autonomics-produce")
        producer = try KafkaProducer(properties: clients.producer(), logger: logger) { [failures] report in
            if let error = report.error {
                failures.errors.withLock { $0.append(error) }
            }
        }
    }

    /// Sends `events` in order and returns once all are acknowledged; throws if any was not.
    public func publish(_ events: [(key: [UInt8]?, value: [UInt8])], to topic: String, timeout: Duration = .seconds(30)) throws {
        for (index, event) in events.enumerated() {
            try producer.produce(topic: topic, partition: nil, key: event.key, value: event.value, headers: [], token: UInt64(index))
        }
        try producer.flush(timeout: timeout)
        let failed = failures.errors.withLock { $0 }
        guard failed.isEmpty else { throw Failed(failures: failed) }
    }
}
