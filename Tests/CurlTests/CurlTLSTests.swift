import Curl
import Foundation
import Hummingbird
import HummingbirdHTTP2
import Logging
import Testing

/// TLS verification, private roots and HTTP/2 multiplexing, against a loopback Hummingbird server with a
/// self-signed certificate made by the openssl command.
@Suite("CurlClient over TLS and HTTP/2", .enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/openssl")))
struct CurlTLSTests {
    /// A self-signed certificate for 127.0.0.1 and its key, in a new directory.
    static func makeCertificate() throws -> (directory: URL, certificate: String, key: String) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tls-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let certificate = directory.appendingPathComponent("cert.pem").path
        let key = directory.appendingPathComponent("key.pem").path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        process.arguments = [
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", certificate, "-days", "1",
            "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
        ]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        try #require(process.terminationStatus == 0)
        return (directory, certificate, key)
    }

    func withServer(_ body: (_ port: Int, _ certificate: String) async throws -> Void) async throws {
        let (directory, certificate, key) = try Self.makeCertificate()
        defer { try? FileManager.default.removeItem(at: directory) }
        let tls = TLSConfiguration.makeServerConfiguration(
            certificateChain: try NIOSSLCertificate.fromPEMFile(certificate).map { .certificate($0) },
            privateKey: .privateKey(try NIOSSLPrivateKey(file: key, format: .pem)))
        let router = Router()
        router.get("hello") { _, _ in "hello" }
        var logger = Logger(label: "tls-test")
        logger.logLevel = .critical
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        let application = Application(
            router: router, server: try .http2Upgrade(tlsConfiguration: tls),
            configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in continuation.yield(channel.localAddress?.port ?? 0) }, logger: logger)
        let server = Task { try? await application.runService(gracefulShutdownSignals: []) }
        var iterator = ports.makeAsyncIterator()
        let port = try #require(await iterator.next())
        do {
            try await body(port, certificate)
        } catch {
            server.cancel()
            throw error
        }
        server.cancel()
        await server.value
    }

    @Test("With the private root as CA file: verified, and HTTP/2 is negotiated and multiplexed")
    func http2() async throws {
        try await withServer { port, certificate in
            var configuration = CurlClient.Configuration()
            configuration.caFile = certificate
            configuration.maxConnectionsPerHost = 1
            let client = CurlClient(configuration: configuration)
            let response = try await client.send(CurlRequest(url: "https://127.0.0.1:\(port)/hello"))
            #expect(response.status == 200)
            #expect(String(decoding: response.body, as: UTF8.self) == "hello")
            #expect(response.httpVersion == 2)
            // Fifty at once over at most one connection: only HTTP/2 multiplexing serves them all.
            let versions = try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<50 {
                    group.addTask { try await client.send(CurlRequest(url: "https://127.0.0.1:\(port)/hello")).httpVersion }
                }
                return try await group.reduce(into: [Int]()) { $0.append($1) }
            }
            #expect(versions.count == 50)
            #expect(versions.allSatisfy { $0 == 2 })
            await client.shutdown()
        }
    }

    @Test("Without it, the self-signed certificate is refused: verification is always on")
    func untrusted() async throws {
        try await withServer { port, _ in
            let client = CurlClient()
            await #expect {
                _ = try await client.send(CurlRequest(url: "https://127.0.0.1:\(port)/hello", timeout: .seconds(5)))
            } throws: { error in
                (error as? CurlError)?.code == .tls
            }
            await client.shutdown()
        }
    }
}
