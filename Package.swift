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
                "Kafka",
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
                "AutonomicsWorker",
                "Kafka",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Histogram", package: "hdrhistogram-swift"),
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
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),

        .testTarget(name: "AutonomicsCoreTests", dependencies: ["AutonomicsCore", "AutonomicsSamples"]),
        .testTarget(
            name: "KafkaTests",
            dependencies: ["Kafka", "AutonomicsTestSupport", .product(name: "Logging", package: "swift-log")]
        ),
        .testTarget(
            name: "AutonomicsWorkerTests",
            dependencies: [
                "AutonomicsWorker",
                "AutonomicsBenchmark",
                "AutonomicsSamples",
                "AutonomicsTestSupport",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
            ]
        ),
    ]
)

for target in package.targets where target.type != .system {
    target.swiftSettings = (target.swiftSettings ?? []) + [
        .enableUpcomingFeature("ExistentialAny"),
        .enableUpcomingFeature("MemberImportVisibility"),
    ]
}
