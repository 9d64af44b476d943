import Foundation
import Kafka
import Logging

/// Keeps `/ready`'s `kafka.broker` condition live: asks the cluster for a topic's metadata every `interval` and
/// reports the broker unreachable once no answer came for `unreachableAfter` (librdkafka itself reconnects).
struct BrokerWatch {
    static let condition = "kafka.broker"

    let producer: KafkaProducer
    let topic: String
    let unreachableAfter: Duration
    let readiness: WorkerReadiness
    let logger: Logger
    var interval: Duration = .seconds(1)

    init(producer: KafkaProducer, topic: String, unreachableAfter: Duration, readiness: WorkerReadiness, logger: Logger) {
        self.producer = producer
        self.topic = topic
        self.unreachableAfter = unreachableAfter
        self.readiness = readiness
        self.logger = logger
        readiness.register(Self.condition)
    }

    /// Probes until `stop` is requested; runs on a thread of its own (the metadata call blocks).
    func run(until stop: StopSignal) {
        var lastAnswer = ContinuousClock.now
        var isReachable = false
        while !stop.isRequested {
            let probeStarted = ContinuousClock.now
            do {
                _ = try producer.partitionCount(topic: topic, timeout: interval)
                lastAnswer = .now
                if !isReachable { logger.info("broker reachable") }
                isReachable = true
            } catch {
                if isReachable, ContinuousClock.now - lastAnswer >= unreachableAfter {
                    logger.warning("broker unreachable", metadata: ["error": "\(error)", "seconds": "\(unreachableAfter.components.seconds)"])
                    isReachable = false
                }
            }
            readiness.set(Self.condition, satisfied: isReachable)
            while !stop.isRequested, ContinuousClock.now - probeStarted < interval {
                Thread.sleep(forTimeInterval: 0.05)
            }
        }
    }
}
