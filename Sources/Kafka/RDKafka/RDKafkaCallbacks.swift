internal import CRdKafka
internal import Logging
import Synchronization

/// What librdkafka's C callbacks reach through a client's `opaque` pointer.
///
/// Lifetime: librdkafka holds this object unretained (`Unmanaged.passUnretained`); ``RDKafkaClient`` keeps it
/// alive until it has destroyed the handle. Threading: see ``RDKafkaClient``; every callback runs inside a poll
/// call (or `rd_kafka_consumer_close`/`rd_kafka_destroy`) on the caller's thread.
final class RDKafkaCallbacks {
    let logger: Logger
    let rebalance: KafkaConsumer.RebalanceHandler?
    let deliveryReport: ((KafkaDeliveryReport) -> Void)?
    /// The topic of the last delivery report (its `rd_kafka_topic_t` address and name): reports mostly come for one
    /// topic, so one cached name spares a `String` per report.
    private let lastTopic = Mutex<(handle: UInt, name: String)>((0, ""))

    init(
        logger: Logger,
        rebalance: KafkaConsumer.RebalanceHandler? = nil,
        deliveryReport: ((KafkaDeliveryReport) -> Void)? = nil
    ) {
        self.logger = logger
        self.rebalance = rebalance
        self.deliveryReport = deliveryReport
    }

    /// Registers the C callbacks and this object as the `opaque` of `conf`.
    func install(on conf: OpaquePointer, type: rd_kafka_type_t) {
        rd_kafka_conf_set_opaque(conf, Unmanaged.passUnretained(self).toOpaque())
        rd_kafka_conf_set_log_cb(conf) { rk, level, facility, message in
            // The log callback has no opaque parameter: recover it from the handle.
            guard let callbacks = RDKafkaCallbacks.from(rk.flatMap(rd_kafka_opaque)) else { return }
            let text = message.map { String(cString: $0) } ?? ""
            callbacks.logger.log(
                level: RDKafkaCallbacks.isSharedPropertyNotice(text) ? .debug : Logger.Level(syslogLevel: level),
                "\(text)",
                metadata: ["kafka.log.facility": "\(facility.map { String(cString: $0) } ?? "")"]
            )
        }
        rd_kafka_conf_set_error_cb(conf) { rk, code, reason, opaque in
            guard let callbacks = RDKafkaCallbacks.from(opaque), let rk else { return }
            callbacks.logClientError(rk: rk, code: rd_kafka_resp_err_t(rawValue: code), reason: reason)
        }
        if type == RD_KAFKA_CONSUMER {
            rd_kafka_conf_set_offset_commit_cb(conf) { _, err, _, opaque in
                // librdkafka reports every commit here. Synchronous ones also throw to their caller; logging
                // is what makes automatic and asynchronous commit failures visible.
                guard err != RD_KAFKA_RESP_ERR_NO_ERROR, err != RD_KAFKA_RESP_ERR__NO_OFFSET,
                    let callbacks = RDKafkaCallbacks.from(opaque)
                else { return }
                callbacks.logger.warning("Offset commit failed", metadata: ["kafka.error": "\(KafkaError(err))"])
            }
        }
        if self.rebalance != nil {
            rd_kafka_conf_set_rebalance_cb(conf) { rk, err, partitions, opaque in
                guard let rk, let handler = RDKafkaCallbacks.from(opaque)?.rebalance else { return }
                handler.handle(rk: rk, event: err, partitions: partitions)
            }
        }
        if self.deliveryReport != nil {
            rd_kafka_conf_set_dr_msg_cb(conf) { _, message, opaque in
                // The message belongs to librdkafka and must not be destroyed here.
                guard let message, let callbacks = RDKafkaCallbacks.from(opaque), let deliveryReport = callbacks.deliveryReport
                else { return }
                deliveryReport(KafkaDeliveryReport(message, topic: callbacks.topicName(message.pointee.rkt)))
            }
        }
    }

    private func topicName(_ topic: OpaquePointer) -> String {
        lastTopic.withLock { last in
            let handle = UInt(bitPattern: topic)
            if last.handle != handle { last = (handle, String(cString: rd_kafka_topic_name(topic))) }
            return last.name
        }
    }

    /// One set of pass-through properties serves a program's consumers and producers alike, so librdkafka's notice
    /// that a client ignores the other kind's properties is expected, not a warning.
    static func isSharedPropertyNotice(_ text: String) -> Bool {
        text.contains("is a consumer property and will be ignored by this producer instance")
            || text.contains("is a producer property and will be ignored by this consumer instance")
    }

    private static func from(_ opaque: UnsafeMutableRawPointer?) -> RDKafkaCallbacks? {
        opaque.map { Unmanaged<RDKafkaCallbacks>.fromOpaque($0).takeUnretainedValue() }
    }

    private func logClientError(rk: OpaquePointer, code: rd_kafka_resp_err_t, reason: UnsafePointer<CChar>?) {
        if code == RD_KAFKA_RESP_ERR__FATAL {
            let error = KafkaError(fatalErrorOf: rk)
            self.logger.error("Fatal client error", metadata: ["kafka.error": "\(error)"])
        } else {
            // Mostly transient (a broker went away); librdkafka keeps retrying by itself.
            let error = KafkaError(code, message: reason.map { String(cString: $0) })
            self.logger.warning("Client error", metadata: ["kafka.error": "\(error)"])
        }
    }
}

extension KafkaError {
    /// The error behind a `_FATAL` code, which librdkafka keeps until the client is destroyed.
    init(fatalErrorOf rk: OpaquePointer) {
        let (code, reason) = withErrorString { rd_kafka_fatal_error(rk, $0, $1) }
        self.init(code, message: reason)
        self.isFatal = true
    }
}

extension Logger.Level {
    /// Maps librdkafka's syslog(3) levels.
    init(syslogLevel: Int32) {
        switch syslogLevel {
        case ...2: self = .critical  // LOG_EMERG, LOG_ALERT, LOG_CRIT
        case 3: self = .error  // LOG_ERR
        case 4: self = .warning  // LOG_WARNING
        case 5: self = .notice  // LOG_NOTICE
        case 6: self = .info  // LOG_INFO
        default: self = .debug  // LOG_DEBUG
        }
    }
}
