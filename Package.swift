// swift-tools-version:6.1
import PackageDescription

let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
]

let package = Package(
    name: "resetpress",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "resetpress", targets: ["ResetPressCLI"]),
        .library(name: "ResetPressEngine", targets: ["ResetPressEngine"]),
        .library(name: "ResetPressStorage", targets: ["ResetPressStorage"]),
        .library(name: "ResetPressServer", targets: ["ResetPressServer"]),
        .library(name: "ResetPassword", targets: ["ResetPassword"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth.git", from: "2.5.0"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "3.12.3"),
        .package(url: "https://github.com/vapor/multipart-kit.git", from: "4.7.1"),
        .package(url: "https://github.com/swiftcsv/SwiftCSV.git", from: "0.10.0"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
    ],
    targets: [
        /// Settings engine, hook registry, executable hooks, plugin and job contracts.
        .target(
            name: "ResetPressEngine",
            dependencies: [
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        /// Email and page templates: `{{ NAME }}`, `<<NAME>>`, `{* name *}`, one pass, cached.
        .target(name: "ResetPressTemplates", swiftSettings: swiftSettings),
        /// Mail messages, MIME, DKIM signing and the transports that deliver them.
        .target(
            name: "ResetPressMail",
            dependencies: [
                "ResetPressEngine",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
            ],
            swiftSettings: swiftSettings),
        .target(name: "ResetPressUsers", dependencies: [.product(name: "HummingbirdBcrypt", package: "hummingbird-auth"), .product(name: "Crypto", package: "swift-crypto"), .product(name: "SwiftCSV", package: "SwiftCSV")], swiftSettings: swiftSettings),
        /// SQLite (GRDB) storage: migrations and the database facade.
        .target(
            name: "ResetPressStorage",
            dependencies: [
                "ResetPressEngine",
                "ResetPressUsers",
                "ResetPressMail",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: swiftSettings
        ),
        /// PostgreSQL storage for several nodes: the same stores, plus shared rate limits, job lock and settings feed.
        .target(
            name: "ResetPressPostgres",
            dependencies: [
                "ResetPressStorage", "ResetPressEngine", "ResetPressUsers", "ResetPressMail",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        /// The site's mail delivery: mail settings, the transport they describe, the outbox sender and its service.
        .target(
            name: "ResetPressDelivery",
            dependencies: [
                "ResetPressEngine", "ResetPressMail", "ResetPressStorage",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        /// Webhooks: the `webhooks.*` settings, the signed JSON deliveries of the reset actions and their sender.
        .target(
            name: "ResetPressWebhooks",
            dependencies: [
                "ResetPressDelivery", "ResetPressEngine", "ResetPressStorage",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        /// HTTP plumbing: request context, parameters, envelopes and error codes, client IP, CORS.
        .target(
            name: "ResetPressHTTP",
            dependencies: [
                "ResetPressEngine",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "MultipartKit", package: "multipart-kit"),
            ],
            swiftSettings: swiftSettings
        ),
        /// The reset-password plugin: flows, modes, mail composition, auth codes, its HTTP API.
        .target(
            name: "ResetPassword",
            dependencies: [
                "ResetPressEngine", "ResetPressStorage", "ResetPressTemplates", "ResetPressMail", "ResetPressUsers", "ResetPressHTTP",
                "ResetPressDelivery",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        /// The Hummingbird application, request context, health route.
        .target(
            name: "ResetPressServer",
            dependencies: [
                "ResetPressEngine",
                "ResetPressStorage",
                "ResetPressHTTP",
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        /// The admin pages and admin JSON API at `/admin`: sessions, CSRF, settings, mail editor, auth codes, mail queue.
        .target(
            name: "ResetPressAdmin",
            dependencies: [
                "ResetPressEngine", "ResetPressHTTP", "ResetPassword", "ResetPressStorage", "ResetPressTemplates", "ResetPressUsers",
                "ResetPressMail", "ResetPressDelivery",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: swiftSettings
        ),
        /// The composition root every host goes through: storage, engine, plugins, mail delivery, jobs and their services.
        .target(
            name: "ResetPressSite",
            dependencies: [
                "ResetPressEngine", "ResetPressStorage", "ResetPressPostgres", "ResetPressDelivery", "ResetPassword", "ResetPressAdmin",
                "ResetPressServer", "ResetPressHTTP", "ResetPressUsers", "ResetPressWebhooks",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        /// A small Hummingbird app that embeds ResetPress: its own router, context, users and filter (`swift run ResetPressExampleHost`).
        .executableTarget(
            name: "ResetPressExampleHost",
            dependencies: [
                "ResetPressSite", "ResetPressEngine", "ResetPressHTTP", "ResetPressUsers",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        /// The `resetpress` command line.
        .executableTarget(
            name: "ResetPressCLI",
            dependencies: [
                "ResetPressSite",
                "ResetPressDelivery",
                "ResetPressAdmin",
                "ResetPressPostgres",
                "ResetPassword",
                "ResetPressUsers",
                "ResetPressMail",
                "ResetPressTemplates",
                "ResetPressHTTP",
                "ResetPressEngine",
                "ResetPressStorage",
                "ResetPressServer",
                "ResetPressWebhooks",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        /// Micro-benchmarks for the engine's hot paths (`swift run -c release resetpress-bench`).
        .executableTarget(
            name: "EngineBenchmarks",
            dependencies: ["ResetPressEngine"],
            path: "Benchmarks/EngineBenchmarks",
            swiftSettings: swiftSettings
        ),
        /// Outbox drain rate to a local aiosmtpd over reused connections (`swift run -c release MailBenchmarks`).
        .executableTarget(
            name: "MailBenchmarks",
            dependencies: ["ResetPassword", "ResetPressDelivery", "ResetPressMail", "ResetPressStorage", .product(name: "Logging", package: "swift-log")],
            path: "Benchmarks/MailBenchmarks",
            swiftSettings: swiftSettings
        ),
        /// The support desk's search and timeline at 100k users and 1M events on SQLite (`swift run -c release SupportDeskBenchmarks`).
        .executableTarget(
            name: "SupportDeskBenchmarks",
            dependencies: ["ResetPressSite", "ResetPassword", "ResetPressStorage", "ResetPressUsers", .product(name: "Logging", package: "swift-log")],
            path: "Benchmarks/SupportDeskBenchmarks",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "ResetPressEngineTests",
            dependencies: ["ResetPressEngine", "ResetPressTestSupport"],
            swiftSettings: swiftSettings
        ),
        /// What several test targets share: a seeded generator, the real server as a process, spawn-safe programs.
        .target(
            name: "ResetPressTestSupport", dependencies: ["ResetPressEngine"], path: "Tests/ResetPressTestSupport",
            swiftSettings: swiftSettings),
        /// What the store tests share: every store of each backend (SQLite, PostgreSQL, memory) and the test PostgreSQL server.
        .target(
            name: "ResetPressStoreTestSupport",
            dependencies: [
                "ResetPressStorage", "ResetPressPostgres", "ResetPressEngine", "ResetPressMail", "ResetPressTestSupport",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Tests/ResetPressStoreTestSupport",
            swiftSettings: swiftSettings),
        .testTarget(
            name: "ResetPressTemplatesTests", dependencies: ["ResetPressTemplates", "ResetPressTestSupport"], swiftSettings: swiftSettings),
        .testTarget(
            name: "ResetPressUsersTests",
            dependencies: ["ResetPressUsers", "ResetPressTestSupport", .product(name: "HummingbirdBcrypt", package: "hummingbird-auth")],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "ResetPressHTTPTests",
            dependencies: [
                "ResetPressHTTP", "ResetPressTestSupport",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
            ],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "ResetPasswordTests",
            dependencies: [
                "ResetPressDelivery", "ResetPressSite",
                "ResetPassword", "ResetPressServer", "ResetPressHTTP", "ResetPressEngine", "ResetPressStorage",
                "ResetPressUsers", "ResetPressMail", "ResetPressTemplates", "ResetPressTestSupport",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings),
        /// Slow: starts the real binary and kills it (`swift test --filter ResetPressCrashTests`).
        .testTarget(
            name: "ResetPressCrashTests",
            dependencies: ["ResetPressCLI", "ResetPressStorage", "ResetPressUsers", "ResetPressTestSupport"],
            swiftSettings: swiftSettings),
        .testTarget(name: "ResetPressMailTests", dependencies: ["ResetPressMail", "ResetPressTestSupport"], swiftSettings: swiftSettings),
        /// Slow: real delivery to aiosmtpd, a Mailgun stand-in and a fake sendmail (`swift test --skip ResetPressMailDeliveryTests` skips it).
        .testTarget(
            name: "ResetPressMailDeliveryTests",
            dependencies: [
                "ResetPressDelivery",
                "ResetPressMail", "ResetPassword", "ResetPressStorage", "ResetPressEngine", "ResetPressTestSupport",
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings),
        /// The stores: the conformance suite of every store protocol on SQLite, in memory and on a real PostgreSQL
        /// (started by the tests), the SQLite database and its formats.
        .testTarget(
            name: "ResetPressStorageTests",
            dependencies: [
                "ResetPressStorage", "ResetPressPostgres", "ResetPressEngine", "ResetPressMail", "ResetPressUsers", "ResetPressDelivery",
                "ResetPressStoreTestSupport",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        /// PostgreSQL beyond one store (a real server, started by the tests): several nodes on one database (stores, engine,
        /// mail senders, servers), the reset flow's secrets at rest, the database's URL and migrations, the storage wiring.
        .testTarget(
            name: "ResetPressPostgresTests",
            dependencies: [
                "ResetPressSite", "ResetPressDelivery",
                "ResetPressPostgres", "ResetPressStorage", "ResetPressEngine", "ResetPressUsers", "ResetPressMail", "ResetPressCLI",
                "ResetPassword", "ResetPressTestSupport", "ResetPressStoreTestSupport",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings),
        /// The `resetpress` command: parsing and validation of its arguments, the queue commands, the settings import,
        /// `storage migrate|status` as the real binary.
        .testTarget(
            name: "ResetPressCLITests",
            dependencies: [
                "ResetPressCLI", "ResetPressStorage", "ResetPressPostgres", "ResetPressEngine", "ResetPressUsers",
                "ResetPressTestSupport", "ResetPressStoreTestSupport",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "ResetPressAdminTests",
            dependencies: [
                "ResetPressSite", "ResetPressTestSupport", "ResetPressCLI",
                "ResetPressAdmin", "ResetPassword", "ResetPressServer", "ResetPressHTTP", "ResetPressEngine", "ResetPressStorage",
                "ResetPressUsers", "ResetPressMail",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
            ],
            swiftSettings: swiftSettings),
        /// Slow: real headless Chromium (Python selenium) against the built `resetpress serve`.
        .testTarget(name: "ResetPressBrowserTests", dependencies: ["ResetPressCLI", "ResetPressTestSupport"], exclude: ["Scripts"], swiftSettings: swiftSettings),
        /// The composition root and its hosts: plugins switched off under `serve`, the example host end to end (slow: real processes).
        .testTarget(
            name: "ResetPressSiteTests",
            dependencies: ["ResetPressSite", "ResetPressCLI", "ResetPressExampleHost", "ResetPressTestSupport"],
            swiftSettings: swiftSettings),
        /// Webhooks against a real loopback receiver: signatures, retries after the receiver was down, no secret in any payload.
        .testTarget(
            name: "ResetPressWebhooksTests",
            dependencies: [
                "ResetPressWebhooks", "ResetPressSite", "ResetPassword", "ResetPressStorage", "ResetPressEngine", "ResetPressHTTP",
                "ResetPressUsers", "ResetPressMail", "ResetPressCLI", "ResetPressTestSupport",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "ResetPressServerTests",
            dependencies: [
                "ResetPressServer", "ResetPressTestSupport",
                "ResetPressEngine",
                "ResetPressStorage",
                "ResetPressHTTP",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
            ],
            swiftSettings: swiftSettings
        ),
    ]
)
