#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

/// rd_kafka_mock_broker_push_request_error_rtts takes its (error, rtt) pairs as C variadic arguments, which Swift
/// cannot pass: this pushes one pair.
static inline rd_kafka_resp_err_t crdkafka_mock_broker_push_request_error(
    rd_kafka_mock_cluster_t *mcluster, int32_t broker_id, int16_t api_key, rd_kafka_resp_err_t err, int rtt_ms) {
    return rd_kafka_mock_broker_push_request_error_rtts(mcluster, broker_id, api_key, 1, err, rtt_ms);
}
