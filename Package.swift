// swift-tools-version:6.2
// Nuri — a sovereign AI platform in one Swift binary. See docs/ARCHITECTURE.md for the modules.
import PackageDescription

/// Every Nuri target compiles in the Swift 6 language mode with strict concurrency.
let strictSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

/// The engine is always optimised, also in debug builds (where SwiftPM passes `-Onone` first and
/// the later `-O` wins): its tests run real models, and unoptimised kernels are ~50× slower.
/// `haswell` is the x86-64-v3 level (AVX2, FMA, F16C); wider kernels are chosen at run time.
let engineSettings: [SwiftSetting] = [
    .unsafeFlags(["-target-cpu", "haswell"]),
    .unsafeFlags(["-O"], .when(configuration: .debug)),
]

/// The guard is optimised in debug builds too: the gateway scans every request, and its corpus
/// test and benchmark should run near the speed users get (release builds, being whole-module,
/// are about twice as fast again).
/// Kernels for AVX-512 VNNI CPUs, in a module of their own compiled for that level
/// (`cascadelake`: AVX-512 F/CD/BW/DQ/VL and VNNI, which Zen 4 has too). The engine calls them
/// only after checking the CPU at run time.
let avx512Settings: [SwiftSetting] = [
    .unsafeFlags(["-target-cpu", "cascadelake"]),
    .unsafeFlags(["-O"], .when(configuration: .debug)),
]

let guardSettings: [SwiftSetting] = [
    .unsafeFlags(["-O"], .when(configuration: .debug)),
]

/// The compute module is optimised in debug builds too: its simulator replays a million jobs, and
/// its tests replay whole traces.
let computeSettings: [SwiftSetting] = [
    .unsafeFlags(["-O"], .when(configuration: .debug)),
]

let package = Package(
    name: "nuri",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "nuri", targets: ["NuriCLI"]),
        .library(name: "NuriEngine", targets: ["NuriEngine"]),
        .library(name: "NuriGateway", targets: ["NuriGateway"]),
        .library(name: "NuriStore", targets: ["NuriStore"]),
        .library(name: "NuriIdentity", targets: ["NuriIdentity"]),
        .library(name: "NuriServer", targets: ["NuriServer"]),
        .library(name: "NuriGuard", targets: ["NuriGuard"]),
        .library(name: "NuriHub", targets: ["NuriHub"]),
        .library(name: "NuriCompute", targets: ["NuriCompute"]),
        .executable(name: "nuri-fake-upstream", targets: ["NuriFakeUpstream"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.5.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/vapor/sql-kit.git", from: "3.36.0"),
        .package(url: "https://github.com/vapor/sqlite-kit.git", from: "4.5.2"),
        .package(url: "https://github.com/vapor/postgres-kit.git", from: "2.17.0"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.81.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.35.2"),
    ],
    targets: [
        // The engine: GGUF models on the CPU in pure Swift. Depends on nothing of Nuri but its
        // AVX-512 kernels (nor on any package), so it can be used alone. Compiled for an explicit CPU level: without one, Swift
        // turns SIMD FMAs and Float16 conversions into library calls (15–25× slower).
        .target(
            name: "NuriEngine",
            dependencies: ["NuriKernelsAVX512"],
            swiftSettings: strictSettings + engineSettings
        ),
        .target(
            name: "NuriKernelsAVX512",
            swiftSettings: strictSettings + avx512Settings
        ),
        // Guard: Korean personal-data detection and masking, the consent ledger, the transfer
        // policy and the audit chain. The detector uses Foundation only; the ledger and the chain
        // live in the store.
        .target(
            name: "NuriGuard",
            dependencies: [
                "NuriStore",
                .product(name: "SQLKit", package: "sql-kit"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: strictSettings + guardSettings
        ),
        // Storage: the database connection (SQLite or PostgreSQL), transactions, migrations.
        .target(
            name: "NuriStore",
            dependencies: [
                .product(name: "SQLKit", package: "sql-kit"),
                .product(name: "SQLiteKit", package: "sqlite-kit"),
                .product(name: "PostgresKit", package: "postgres-kit"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),
        // Identity: organisations, users, memberships, API tokens and who may do what.
        .target(
            name: "NuriIdentity",
            dependencies: [
                "NuriStore",
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: strictSettings
        ),
        // Hub: model repositories (commits, branches, tags), content-addressed blobs, model cards,
        // visibility by sector, gated access. No HTTP types: NuriServer speaks the Hub's API.
        .target(
            name: "NuriHub",
            dependencies: [
                "NuriStore", "NuriIdentity",
                .product(name: "SQLKit", package: "sql-kit"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Yams", package: "Yams"),
            ],
            swiftSettings: strictSettings
        ),
        // Compute: the GPU pool, projects and allocations, the scheduling policy and its simulator,
        // and the Slurm driver. No HTTP types: NuriServer speaks `/api/compute`.
        .target(
            name: "NuriCompute",
            dependencies: [
                "NuriStore", "NuriIdentity",
                .product(name: "SQLKit", package: "sql-kit"),
                .product(name: "Yams", package: "Yams"),
            ],
            swiftSettings: strictSettings + computeSettings
        ),
        // The OpenAI-compatible gateway: backends (local engine models), request validation.
        .target(
            name: "NuriGateway",
            dependencies: [
                "NuriEngine", "NuriStore",
                .product(name: "SQLKit", package: "sql-kit"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOTLS", package: "swift-nio"),
            ],
            swiftSettings: strictSettings
        ),
        // HTTP: routes, authentication middleware, error mapping, metrics, the server's lifecycle.
        .target(
            name: "NuriServer",
            dependencies: [
                "NuriGateway",
                "NuriEngine",
                "NuriStore",
                "NuriIdentity",
                "NuriGuard",
                "NuriCompute",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "NIOHTTPTypesHTTP1", package: "swift-nio-extras"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: strictSettings
        ),
        // The `nuri` command.
        .executableTarget(
            name: "NuriCLI",
            dependencies: [
                "NuriEngine",
                "NuriServer",
                "NuriIdentity",
                "NuriStore",
                "NuriGuard",
                "NuriHub",
                "NuriCompute",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: strictSettings
        ),
        // A fixed-answer OpenAI-compatible server on SwiftNIO alone, for measuring the gateway's
        // overhead (scripts/bench-gateway.py); not part of `nuri`.
        .executableTarget(
            name: "NuriFakeUpstream",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: strictSettings
        ),
        // Test helpers shared by the test targets: a fresh SQLite file or PostgreSQL schema per test.
        .target(
            name: "NuriTestSupport",
            dependencies: ["NuriStore", "NuriGateway", .product(name: "SQLKit", package: "sql-kit")],
            path: "Tests/NuriTestSupport",
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "NuriEngineTests",
            dependencies: ["NuriEngine"],
            resources: [.copy("Fixtures")],
            swiftSettings: strictSettings + engineSettings
        ),
        .testTarget(name: "NuriGatewayTests", dependencies: ["NuriGateway", "NuriStore", "NuriTestSupport", .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio"), .product(name: "NIOEmbedded", package: "swift-nio"), .product(name: "NIOHTTP1", package: "swift-nio"), .product(name: "NIOSSL", package: "swift-nio-ssl")], swiftSettings: strictSettings),
        .testTarget(
            name: "NuriGuardTests",
            dependencies: ["NuriGuard", "NuriStore", "NuriIdentity", "NuriTestSupport", .product(name: "SQLKit", package: "sql-kit")],
            resources: [.copy("Fixtures")],
            swiftSettings: strictSettings + guardSettings
        ),
        .testTarget(name: "NuriStoreTests", dependencies: ["NuriStore", "NuriTestSupport"], swiftSettings: strictSettings),
        .testTarget(name: "NuriIdentityTests", dependencies: ["NuriIdentity", "NuriStore", "NuriTestSupport"], swiftSettings: strictSettings),
        .testTarget(
            name: "NuriServerTests",
            dependencies: [
                "NuriServer", "NuriIdentity", "NuriStore", "NuriTestSupport", "NuriCompute",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOHTTPTypesHTTP1", package: "swift-nio-extras"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(name: "NuriHubTests", dependencies: ["NuriHub", "NuriIdentity", "NuriStore", "NuriTestSupport"], swiftSettings: strictSettings),
        .testTarget(name: "NuriComputeTests", dependencies: ["NuriCompute", "NuriIdentity", "NuriStore", "NuriTestSupport"], swiftSettings: strictSettings),
        .testTarget(name: "NuriCLITests", dependencies: ["NuriCLI"], swiftSettings: strictSettings),
    ],
    swiftLanguageModes: [.v6]
)
