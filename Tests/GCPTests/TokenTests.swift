import Curl
import Foundation
import GCP
import GCPFake
import Testing

@Suite("Access tokens against the fake")
struct TokenTests {
    @Test("Service-account key file: the JWT-bearer grant, verified by the fake")
    func serviceAccount() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("sa-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try await FakeStack.with(credentials: { fake in
            let path = directory.appendingPathComponent("key.json").path
            try Data(fake.serviceAccountKeyJSON).write(to: URL(fileURLWithPath: path))
            return try GCPCredentials.discover(environment: ["GOOGLE_APPLICATION_CREDENTIALS": path])
        }) { stack in
            #expect(stack.tokens.credentials.sourceName == "service account key")
            #expect(try await stack.tokens.account() == stack.fake.serviceAccountEmail)
            #expect(try await stack.scheduler.getJob(jobName).state == "ENABLED")
            let grant = try #require(stack.fake.requests.first { $0.api == .token })
            let form = String(decoding: grant.body, as: UTF8.self)
            #expect(form.hasPrefix("grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer&assertion="))
        }
    }

    @Test("authorized_user file: the refresh-token grant")
    func authorizedUser() async throws {
        try await FakeStack.with(credentials: { fake in
            try GCPCredentials.parse(Data(fake.authorizedUserJSON), origin: "fake user")
        }) { stack in
            #expect(try await stack.pubsub.getSubscription(subscriptionName).name == subscriptionName)
            let grant = try #require(stack.fake.requests.first { $0.api == .token })
            #expect(String(decoding: grant.body, as: UTF8.self).hasPrefix("grant_type=refresh_token&"))
            #expect(try await stack.tokens.account() == nil)
        }
    }

    @Test("Metadata server: Metadata-Flavor header, token and service account")
    func metadataServer() async throws {
        try await FakeStack.with(credentials: { fake in
            try GCPCredentials.discover(environment: ["GCE_METADATA_HOST": fake.metadataHost, "HOME": "/nonexistent"])
        }) { stack in
            #expect(stack.tokens.credentials.sourceName == "metadata server")
            #expect(try await stack.procurement.getEntitlement(entitlementName).name == entitlementName)
            #expect(try await stack.tokens.account() == stack.fake.serviceAccountEmail)
            let token = try #require(stack.fake.requests.first { $0.api == .metadata && $0.path.hasSuffix("/token") })
            #expect(token.headers["metadata-flavor"] == "Google")
            #expect(token.query["scopes"] == TokenProvider.cloudPlatformScope)
        }
    }

    @Test("The token endpoint's refusal is a credentials error without secrets")
    func refused() async throws {
        try await FakeStack.with(credentials: { fake in
            let user = #"{"type":"authorized_user","client_id":"\#(fake.userClientID)","client_secret":"wrong-secret","refresh_token":"wrong-token","token_uri":"\#(fake.tokenURI)"}"#
            return try GCPCredentials.parse(Data(user.utf8), origin: "bad user")
        }, allowViolations: true) { stack in
            do {
                _ = try await stack.scheduler.getJob(jobName)
                Issue.record("a bad refresh token was accepted")
            } catch let error as GCPError {
                #expect(error.code == .credentials)
                #expect(error.status == "invalid_grant")
                #expect(!error.description.contains("wrong-secret"))
                #expect(!error.description.contains("wrong-token"))
            }
        }
    }

    @Test("A token expiring mid-run is refreshed before use")
    func refreshBeforeExpiry() async throws {
        let clock = ManualClock()
        try await FakeStack.with(tokenClock: clock.clock) { stack in
            stack.fake.tokenLifetime = 240  // fresh for 15 s: refreshed 225 s before expiry
            let first = try await stack.tokens.token(scope: TokenProvider.cloudPlatformScope)
            _ = try await stack.scheduler.getJob(jobName)
            clock.advance(.seconds(10))
            #expect(try await stack.tokens.token(scope: TokenProvider.cloudPlatformScope).value == first.value)
            #expect(stack.fake.tokenRequestCount == 1)
            clock.advance(.seconds(6))
            _ = try await stack.scheduler.getJob(jobName)
            #expect(stack.fake.tokenRequestCount == 2)
            let used = stack.fake.requests.filter { $0.api == .scheduler }.compactMap { $0.headers["authorization"] }
            #expect(used.count == 2)
            #expect(used[0] != used[1])
            #expect(used[1] != "Bearer \(first.value)")
        }
    }

    @Test("Tokens are cached per scope")
    func perScope() async throws {
        try await FakeStack.with { stack in
            _ = try await stack.tokens.token(scope: "https://www.googleapis.com/auth/cloud-platform")
            _ = try await stack.tokens.token(scope: "https://www.googleapis.com/auth/pubsub")
            _ = try await stack.tokens.token(scope: "https://www.googleapis.com/auth/pubsub")
            #expect(stack.fake.tokenRequestCount == 2)
        }
    }

    @Test("1,000 concurrent callers cause one token request")
    func singleFlight() async throws {
        try await FakeStack.with { stack in
            try await withThrowingTaskGroup(of: String?.self) { group in
                for _ in 0..<1000 {
                    group.addTask { try await stack.scheduler.getJob(jobName).state }
                }
                for try await state in group { #expect(state == "ENABLED") }
            }
            #expect(stack.fake.tokenRequestCount == 1)
            #expect(stack.fake.requests.filter { $0.api == .scheduler }.count == 1000)
        }
    }
}
