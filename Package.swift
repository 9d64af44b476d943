// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "autonomics",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "autonomics", targets: ["autonomics"])
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.5.0"),
        .package(url: "https://github.com/apple/swift-crypto", "3.0.0"..<"5.0.0"),
        .package(url: "https://github.com/apple/swift-collections", from: "1.1.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.0.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.6.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.5.0"),
        .package(url: "https://github.com/LebJe/TOMLKit", from: "0.6.0"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift", from: "0.1.0"),
    ],
    targets: [
        // C libraries from the system (Debian: librdkafka-dev, libcurl4-openssl-dev).
        .systemLibrary(
            name: "CRdKafka",
            pkgConfig: "rdkafka",
            providers: [.apt(["librdkafka-dev"])]
        ),
        .systemLibrary(
            name: "CCurl",
            pkgConfig: "libcurl",
            providers: [.apt(["libcurl4-openssl-dev"])]
        ),

        // Swift over librdkafka: consumer, producer, transactions, mock cluster.
        .target(
            name: "Kafka",
            dependencies: [
                "CRdKafka",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),

        // Typed wrappers for libcurl's variadic setopt/getinfo, which Swift cannot call.
        .target(name: "CCurlShims", dependencies: ["CCurl"]),

        // Swift over libcurl: one multi handle per client, driven on a thread of its own, async transfers.
        .target(name: "Curl", dependencies: ["CCurl", "CCurlShims"]),

        // Google Cloud: OAuth2 tokens, REST clients (Cloud Run, Scheduler, Pub/Sub, Procurement), retries,
        // circuit breakers. Knows nothing of Kafka.
        .target(
            name: "GCP",
            dependencies: [
                "Curl",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
            ]
        ),

        // Loopback fake of the four Google APIs, the OAuth2 token endpoint and the metadata server, judging
        // every request against the discovery documents. Shared by the tests and `autonomics gcp-fake`.
        .target(
            name: "GCPFake",
            dependencies: [
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
            ],
            resources: [.copy("Resources/discovery")]
        ),

        // The pure domain: JSON, canonical encoding, normalization, receipts. No I/O.
        .target(
            name: "AutonomicsCore",
            dependencies: [
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "DequeModule", package: "swift-collections"),
            ]
        ),

        // Realistic input payloads from Google's documentation: for `autonomics produce`, tests and the fuzzer's seeds.
        .target(name: "AutonomicsSamples", dependencies: ["AutonomicsCore"]),

        // Services: the stage runtime (shards, backpressure, commit), intake and governor stages, operations HTTP
        // server, configuration.
        .target(
            name: "AutonomicsWorker",
            dependencies: [
                "AutonomicsCore",
                "AutonomicsSamples",
                "Kafka",
                "GCP",
                "GCPFake",
                .product(name: "DequeModule", package: "swift-collections"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "TOMLKit", package: "TOMLKit"),
            ]
        ),

        // `autonomics bench`: the worker against a bare librdkafka relay of the same events, in one run.
        .target(
            name: "AutonomicsBenchmark",
            dependencies: [
                "AutonomicsCore",
                "AutonomicsWorker",
                "GCPFake",
                "Kafka",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Histogram", package: "hdrhistogram-swift"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ]
        ),

        // Test fakes and helpers shared by the test suites: mock clusters with unique topics, waiting for conditions.
        .target(
            name: "AutonomicsTestSupport",
            dependencies: [
                "AutonomicsCore",
                "AutonomicsWorker",
                "Kafka",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),

        .executableTarget(
            name: "autonomics",
            dependencies: [
                "AutonomicsCore",
                "AutonomicsSamples",
                "AutonomicsWorker",
                "AutonomicsBenchmark",
                "GCP",
                "GCPFake",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),

        .testTarget(name: "AutonomicsCoreTests", dependencies: ["AutonomicsCore", "AutonomicsSamples"]),
        .testTarget(
            name: "KafkaTests",
            dependencies: ["Kafka", "AutonomicsTestSupport", .product(name: "Logging", package: "swift-log")]
        ),
        .testTarget(
            name: "CurlTests",
            dependencies: [
                "Curl",
                "GCPFake",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdHTTP2", package: "hummingbird"),
            ]
        ),
        .testTarget(
            name: "GCPTests",
            dependencies: [
                "GCP",
                "AutonomicsWorker",
                "GCPFake",
                "Curl",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "MetricsTestKit", package: "swift-metrics"),
            ]
        ),
        .testTarget(
            name: "AutonomicsWorkerTests",
            dependencies: [
                "AutonomicsCore",
                "AutonomicsWorker",
                "AutonomicsBenchmark",
                "AutonomicsSamples",
                "AutonomicsTestSupport",
                "Curl",
                "GCP",
                "GCPFake",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "MetricsTestKit", package: "swift-metrics"),
            ]
        ),
    ]
)

for target in package.targets where target.type != .system && target.name != "CCurlShims" {
    target.swiftSettings = (target.swiftSettings ?? []) + [
        .enableUpcomingFeature("ExistentialAny"),
        .enableUpcomingFeature("MemberImportVisibility"),
    ]
}
