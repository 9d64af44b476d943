import AutonomicsCore
import Kafka

/// The headers a dead letter carries on top of the original record's own headers, which stay byte-for-byte.
public enum DeadLetterHeader {
    public static let originTopic = "autonomics.dlq.origin.topic"
    public static let originPartition = "autonomics.dlq.origin.partition"
    public static let originOffset = "autonomics.dlq.origin.offset"
    /// The original record's timestamp in milliseconds since the epoch; absent when the record had none.
    public static let originTimestamp = "autonomics.dlq.origin.timestamp"
    public static let errorCode = "autonomics.dlq.error.code"
    public static let errorMessage = "autonomics.dlq.error.message"
    public static let worker = "autonomics.dlq.worker"
}

/// Error codes that arise in the worker rather than in normalization; normalization's own are in `RejectionCode`.
extension RejectionCode {
    /// The record was valid but publishing its output failed permanently (for example the output was too large).
    static let publishFailed = RejectionCode(rawValue: "publish_failed")
}

extension KafkaMessage {
    /// The headers of this record's dead letter: its own, then the origin and the reason.
    func deadLetterHeaders(for rejection: Rejection, worker: String) -> [KafkaHeader] {
        var result = headers
        func add(_ name: String, _ text: String) {
            result.append(KafkaHeader(name: name, value: Array(text.utf8)))
        }
        add(DeadLetterHeader.originTopic, topic)
        add(DeadLetterHeader.originPartition, String(partition))
        add(DeadLetterHeader.originOffset, String(offset))
        if let timestamp {
            add(DeadLetterHeader.originTimestamp, String(timestamp))
        }
        add(DeadLetterHeader.errorCode, rejection.code.rawValue)
        add(DeadLetterHeader.errorMessage, rejection.message)
        add(DeadLetterHeader.worker, worker)
        return result
    }
}
