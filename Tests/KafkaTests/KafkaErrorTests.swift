import Kafka
import Testing

@Suite("KafkaError classification")
struct KafkaErrorTests {
    @Test("Fatal codes mean: recreate the client", arguments: [KafkaError.Code.fatal, .fenced, .producerFenced])
    func fatal(code: KafkaError.Code) {
        let error = KafkaError(code: code)
        #expect(error.isFatal)
        #expect(!error.isRetriable)
        #expect(!error.requiresAbort)
    }

    @Test(
        "Transient codes mean: retry",
        arguments: [
            KafkaError.Code.transport, .timedOut, .requestTimedOut, .notLeaderForPartition, .coordinatorNotAvailable,
        ]
    )
    func retriable(code: KafkaError.Code) {
        let error = KafkaError(code: code)
        #expect(error.isRetriable)
        #expect(!error.isFatal)
    }

    @Test("Permanent, non-fatal codes are neither", arguments: [KafkaError.Code.messageSizeTooLarge, .invalidArgument])
    func permanent(code: KafkaError.Code) {
        let error = KafkaError(code: code)
        #expect(!error.isRetriable)
        #expect(!error.isFatal)
    }

    @Test("An abortable error keeps its flag and says so")
    func abortable() {
        var error = KafkaError(code: .invalidProducerEpoch, message: "the transaction failed")
        error.requiresAbort = true
        #expect(error.requiresAbort)
        #expect(error.description == "KafkaError(INVALID_PRODUCER_EPOCH): the transaction failed [requires abort]")
    }

    @Test("Codes describe themselves with librdkafka's names and messages")
    func descriptions() {
        #expect(KafkaError.Code.transport.description == "_TRANSPORT")
        #expect(KafkaError.Code(rawValue: 27) == .rebalanceInProgress)
        #expect(!KafkaError(code: .transport).message.isEmpty)
        // A code this module has no constant for still works.
        #expect(KafkaError.Code(rawValue: 87).description == "INVALID_RECORD")
    }
}
