import Curl
import Foundation
import GCPFake
import Testing

/// The libcurl client over loopback, against the fake's metadata and token endpoints.
@Suite("CurlClient")
struct CurlClientTests {
    func withFake(_ body: (GCPFake, CurlClient) async throws -> Void) async throws {
        let fake = try await GCPFake.start()
        fake.seedExamples()
        let client = CurlClient()
        do {
            try await body(fake, client)
        } catch {
            await client.shutdown()
            await fake.stop()
            throw error
        }
        await client.shutdown()
        await fake.stop()
    }

    @Test("GET: status, lower-cased headers, body")
    func get() async throws {
        try await withFake { fake, client in
            let response = try await client.send(CurlRequest(
                url: "http://\(fake.metadataHost)/computeMetadata/v1/project/project-id", headers: [("Metadata-Flavor", "Google")]))
            #expect(response.status == 200)
            #expect(response.header("Metadata-Flavor") == "Google")
            #expect(response.headers.contains { $0.name == "metadata-flavor" })
            #expect(String(decoding: response.body, as: UTF8.self) == "fake-project")
            #expect(response.httpVersion == 1)
        }
    }

    @Test("POST with a body, and an error status is a response, not an error")
    func post() async throws {
        try await withFake { fake, client in
            let response = try await client.send(CurlRequest(
                method: "POST", url: fake.tokenURI, headers: [("Content-Type", "application/x-www-form-urlencoded")],
                body: Array("grant_type=password".utf8)))
            #expect(response.status == 400)
            #expect(String(decoding: response.body, as: UTF8.self).contains("unsupported_grant_type"))
            #expect(fake.requests.last?.body == Array("grant_type=password".utf8))
        }
    }

    @Test("Many concurrent requests on a few reused connections")
    func concurrent() async throws {
        try await withFake { fake, client in
            try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<200 {
                    group.addTask {
                        try await client.send(CurlRequest(
                            url: "http://\(fake.metadataHost)/computeMetadata/v1/project/project-id",
                            headers: [("Metadata-Flavor", "Google")])).status
                    }
                }
                for try await status in group { #expect(status == 200) }
            }
        }
    }

    @Test("Connection refused is a connect error")
    func refused() async throws {
        let fake = try await GCPFake.start()
        let port = fake.port
        await fake.stop()
        let client = CurlClient()
        await #expect {
            _ = try await client.send(CurlRequest(url: "http://127.0.0.1:\(port)/", timeout: .seconds(5)))
        } throws: { error in
            (error as? CurlError)?.code == .connect && (error as? CurlError)?.isRetriable == true
        }
        await client.shutdown()
    }

    @Test("A host name that does not resolve is a DNS error")
    func dns() async throws {
        let client = CurlClient()
        await #expect {
            _ = try await client.send(CurlRequest(url: "http://nonexistent.invalid/", timeout: .seconds(10)))
        } throws: { error in
            (error as? CurlError)?.code == .dns
        }
        await client.shutdown()
    }

    @Test("A server that does not answer hits the deadline")
    func timeout() async throws {
        try await withFake { fake, client in
            fake.inject(.hang(.seconds(10)), api: .metadata)
            let started = ContinuousClock.now
            await #expect {
                _ = try await client.send(CurlRequest(
                    url: "http://\(fake.metadataHost)/", headers: [("Metadata-Flavor", "Google")], timeout: .milliseconds(300)))
            } throws: { error in
                (error as? CurlError)?.code == .timeout
            }
            #expect(ContinuousClock.now - started < .seconds(5))
        }
    }

    @Test("TLS is verified: a plain HTTP server on https:// is a TLS error")
    func tls() async throws {
        try await withFake { fake, client in
            await #expect {
                _ = try await client.send(CurlRequest(url: "https://127.0.0.1:\(fake.port)/", timeout: .seconds(5)))
            } throws: { error in
                (error as? CurlError)?.code == .tls
            }
        }
    }

    @Test("A response larger than the cap is refused")
    func responseCap() async throws {
        let fake = try await GCPFake.start()
        var configuration = CurlClient.Configuration()
        configuration.maxResponseBytes = 8
        let client = CurlClient(configuration: configuration)
        await #expect {
            _ = try await client.send(CurlRequest(
                url: "http://\(fake.metadataHost)/computeMetadata/v1/instance/service-accounts/default/",
                headers: [("Metadata-Flavor", "Google")]))
        } throws: { error in
            (error as? CurlError)?.code == .responseTooLarge
        }
        await client.shutdown()
        await fake.stop()
    }

    @Test("Cancelling the caller abandons the transfer at once")
    func cancellation() async throws {
        try await withFake { fake, client in
            fake.inject(.hang(.seconds(10)), api: .metadata)
            let task = Task {
                try await client.send(CurlRequest(url: "http://\(fake.metadataHost)/", headers: [("Metadata-Flavor", "Google")]))
            }
            try await Task.sleep(for: .milliseconds(200))
            let started = ContinuousClock.now
            task.cancel()
            do {
                _ = try await task.value
                Issue.record("a cancelled request answered")
            } catch {
                #expect((error as? CurlError)?.code == .cancelled)
            }
            #expect(ContinuousClock.now - started < .seconds(2))
        }
    }

    @Test("A malformed URL is an invalid request")
    func invalidURL() async throws {
        let client = CurlClient()
        await #expect {
            _ = try await client.send(CurlRequest(url: "ftp://127.0.0.1/file"))
        } throws: { error in
            (error as? CurlError)?.code == .invalidRequest
        }
        await client.shutdown()
    }
}
