import AutonomicsWorker
import GCP
import Testing

@Suite("[gcp] settings")
struct GCPSettingsTests {
    @Test("Defaults are Google's endpoints")
    func defaults() throws {
        let configuration = GCPConfiguration(try ConfigurationLoader.load(file: nil, environment: [:], flags: [:]).gcp)
        #expect(configuration.endpoint(.run) == "https://run.googleapis.com/")
        #expect(configuration.endpoint(.scheduler) == "https://cloudscheduler.googleapis.com/")
        #expect(configuration.endpoint(.pubsub) == "https://pubsub.googleapis.com/")
        #expect(configuration.endpoint(.procurement) == "https://cloudcommerceprocurement.googleapis.com/")
        #expect(configuration.caFile == nil)
        #expect(configuration.requestTimeout == .seconds(30))
    }

    @Test("AUTONOMICS_GCP_* variables are registered settings")
    func environment() throws {
        let worker = try ConfigurationLoader.load(file: nil, environment: [
            "AUTONOMICS_GCP_RUN_ENDPOINT": "http://127.0.0.1:9/run",
            "AUTONOMICS_GCP_SCHEDULER_ENDPOINT": "http://127.0.0.1:9/scheduler/",
            "AUTONOMICS_GCP_PUBSUB_ENDPOINT": "http://127.0.0.1:9/pubsub/",
            "AUTONOMICS_GCP_PROCUREMENT_ENDPOINT": "http://127.0.0.1:9/procurement/",
            "AUTONOMICS_GCP_CA_FILE": "/etc/ssl/private-root.pem",
            "AUTONOMICS_GCP_REQUEST_TIMEOUT_SECONDS": "12",
            "AUTONOMICS_GCP_MAX_ATTEMPTS": "2",
            "AUTONOMICS_GCP_BREAKER_OPEN_SECONDS": "5",
        ], flags: [:])
        let configuration = GCPConfiguration(worker.gcp)
        #expect(configuration.endpoint(.run) == "http://127.0.0.1:9/run/")
        #expect(configuration.endpoint(.procurement) == "http://127.0.0.1:9/procurement/")
        #expect(configuration.caFile == "/etc/ssl/private-root.pem")
        #expect(configuration.requestTimeout == .seconds(12))
        #expect(configuration.retry.maxAttempts == 2)
        #expect(configuration.breaker.openDuration == .seconds(5))
        #expect(ConfigurationLoader.describe(worker).contains("run_endpoint = 'http://127.0.0.1:9/run'"))
    }

    @Test("An endpoint that is no URL is refused at load")
    func badEndpoint() {
        #expect(throws: ConfigurationError.self) {
            try ConfigurationLoader.load(file: nil, environment: ["AUTONOMICS_GCP_RUN_ENDPOINT": "run.googleapis.com"], flags: [:])
        }
        #expect(throws: ConfigurationError.self) {
            try ConfigurationLoader.load(file: nil, environment: ["AUTONOMICS_GCP_RUN_ENDPONT": "https://x/"], flags: [:])
        }
    }
}
