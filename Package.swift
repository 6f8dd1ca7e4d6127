// swift-tools-version:6.0
import PackageDescription

// Swift 6 language mode (strict concurrency) is the default for tools version 6.
let package = Package(
    name: "edge-agent",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "edge-agent", targets: ["edge-agent"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-async-algorithms.git", from: "1.1.4"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "3.12.3"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "5.0.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
    ],
    targets: [
        // System libraries, linked from Debian's -dev packages.
        .systemLibrary(
            name: "CModbus",
            pkgConfig: "libmodbus",
            providers: [.apt(["libmodbus-dev"])]
        ),
        .systemLibrary(
            name: "CGPIOD",
            pkgConfig: "libgpiod",
            providers: [.apt(["libgpiod-dev"])]
        ),

        // Leaf modules: each knows its own domain and never imports another leaf or EdgeAgent.
        .target(
            name: "LockerIO",
            dependencies: [
                "CGPIOD",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "MeterBus",
            dependencies: [
                "CModbus",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Yams", package: "Yams"),
            ]
        ),
        .target(
            name: "SMSAuth",
            dependencies: [
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        .target(
            name: "OCPP",
            dependencies: [
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ]
        ),
        .target(name: "LoadBalancing"),
        // A seeded generator shared by property tests, simulations and benchmarks (not product randomness).
        .target(name: "SeededRandom"),

        // The daemon: site model, sessions, persistence, local API, service wiring.
        .target(
            name: "EdgeAgent",
            dependencies: [
                "LockerIO", "MeterBus", "SMSAuth", "OCPP", "LoadBalancing",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "AsyncAlgorithms", package: "swift-async-algorithms"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ]
        ),
        .executableTarget(
            name: "edge-agent",
            dependencies: [
                "EdgeAgent", "MeterBus", "OCPP", "SeededRandom", "LoadBalancing",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),

        .testTarget(name: "LockerIOTests", dependencies: ["LockerIO"]),
        .testTarget(name: "MeterBusTests", dependencies: ["MeterBus"]),
        .testTarget(name: "SMSAuthTests", dependencies: ["SMSAuth", "SeededRandom"]),
        .testTarget(name: "OCPPTests", dependencies: ["OCPP", "SeededRandom"], exclude: ["validate_schemas.py", "transport_peer.py"]),
        .testTarget(name: "LoadBalancingTests", dependencies: ["LoadBalancing", "SeededRandom"], exclude: ["Scenarios"]),
        .testTarget(
            name: "EdgeAgentTests",
            dependencies: [
                "EdgeAgent", "SeededRandom",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
            ]
        ),
    ]
)
