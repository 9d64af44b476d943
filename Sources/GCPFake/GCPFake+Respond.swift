import Foundation
import Hummingbird
import HTTPTypes
import NIOCore
import Synchronization
import _CryptoExtras

/// An answer before it becomes a Hummingbird `Response`.
struct FakeAnswer {
    var status: Int
    var body: [UInt8]
    var headers: [(String, String)] = []

    static func json(_ value: FakeJSON, status: Int = 200) -> FakeAnswer {
        FakeAnswer(status: status, body: value.bytes)
    }

    /// Google's envelope, `{"error": {"code", "message", "status"}}`.
    static func error(_ status: Int, _ message: String, _ code: String? = nil) -> FakeAnswer {
        let canonical = code ?? Self.canonicalStatus[status] ?? "UNKNOWN"
        return .json(["error": ["code": .number(Double(status)), "message": .string(message), "status": .string(canonical)]], status: status)
    }

    /// The OAuth error, `{"error", "error_description"}`.
    static func oauthError(_ error: String, _ description: String, status: Int = 400) -> FakeAnswer {
        .json(["error": .string(error), "error_description": .string(description)], status: status)
    }

    static let canonicalStatus: [Int: String] = [
        400: "INVALID_ARGUMENT", 401: "UNAUTHENTICATED", 403: "PERMISSION_DENIED", 404: "NOT_FOUND", 405: "METHOD_NOT_ALLOWED",
        408: "DEADLINE_EXCEEDED", 409: "ABORTED", 429: "RESOURCE_EXHAUSTED", 500: "INTERNAL", 501: "UNIMPLEMENTED",
        502: "UNAVAILABLE", 503: "UNAVAILABLE", 504: "DEADLINE_EXCEEDED",
    ]
}

/// A request as the handlers see it.
struct FakeIncoming {
    var method: String
    /// Percent-decoded segments after the API prefix.
    var segments: [String]
    var query: [(String, String)]
    var headers: [String: String]
    var body: [UInt8]

    var path: String { self.segments.joined(separator: "/") }
    var json: FakeJSON { FakeJSON(parsing: self.body) ?? .object([:]) }
}

extension GCPFake {
    func respond(to request: Request) async -> Response {
        var headers: [String: String] = [:]
        for field in request.headers { headers[field.name.canonicalName] = field.value }
        let body: [UInt8]
        do {
            body = Array(try await request.body.collect(upTo: 16 << 20).readableBytesView)
        } catch {
            return Self.response(.error(413, "request body too large"))
        }
        let rawPath = request.uri.path
        var parts = rawPath.split(separator: "/", omittingEmptySubsequences: false).dropFirst().map {
            String($0).removingPercentEncoding ?? String($0)
        }
        let api: GCPFakeAPI?
        if parts.first == "computeMetadata" || rawPath == "/" {
            api = .metadata
        } else if let first = parts.first, let known = GCPFakeAPI(rawValue: first) {
            api = known
            if known != .token { parts.removeFirst() }
        } else {
            api = nil
        }
        let incoming = FakeIncoming(
            method: request.method.rawValue, segments: parts, query: Self.parseQuery(request.uri.query ?? ""),
            headers: headers, body: body)

        var methodID: String?
        let answer: FakeAnswer
        switch api {
        case nil:
            self.violation("no API is served at \(rawPath)")
            answer = .error(404, "no API is served at \(rawPath)")
        case .token:
            answer = await self.withFault(api: .token, path: incoming.path) { self.tokenEndpoint(incoming) }
        case .metadata:
            answer = await self.withFault(api: .metadata, path: incoming.path) { self.metadata(incoming) }
        case .control:
            answer = self.control(incoming)
        case .some(let api):
            self.state.withLock { state in
                state.apiRequestsInFlight += 1
                state.maxAPIRequestsInFlight = max(state.maxAPIRequestsInFlight, state.apiRequestsInFlight)
            }
            (answer, methodID) = await self.apiRequest(api, incoming)
            self.state.withLock { $0.apiRequestsInFlight -= 1 }
        }

        self.state.withLock { state in
            state.requests.append(GCPFakeRequest(
                api: api, method: incoming.method, path: incoming.path,
                query: Dictionary(incoming.query, uniquingKeysWith: { $1 }), headers: headers, body: body,
                methodID: methodID, status: answer.status, receivedAt: Date()))
        }
        return Self.response(answer)
    }

    private static func response(_ answer: FakeAnswer) -> Response {
        var fields = HTTPFields()
        fields[.contentType] = "application/json; charset=UTF-8"
        for (name, value) in answer.headers {
            if let name = HTTPField.Name(name) { fields[name] = value }
        }
        return Response(
            status: .init(code: answer.status), headers: fields,
            body: .init(byteBuffer: ByteBuffer(bytes: answer.body)))
    }

    static func parseQuery(_ query: String) -> [(String, String)] {
        query.split(separator: "&").map { pair in
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decode(_ text: Substring) -> String {
                String(text).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String(text)
            }
            return (decode(parts[0]), parts.count > 1 ? decode(parts[1]) : "")
        }
    }

    func violation(_ text: String) {
        self.state.withLock { $0.violations.append(text) }
    }

    /// Answers with the first queued fault matching the request, else with `answer()`.
    func withFault(api: GCPFakeAPI, path: String, _ answer: () -> FakeAnswer) async -> FakeAnswer {
        let fault = self.state.withLock { state -> GCPFakeFault? in
            guard let index = state.faults.firstIndex(where: { pending in
                (pending.api == nil || pending.api == api) && (pending.pathContains.map { path.contains($0) } ?? true)
            }) else { return nil }
            state.faults[index].remaining -= 1
            let fault = state.faults[index].fault
            if state.faults[index].remaining <= 0 { state.faults.remove(at: index) }
            return fault
        }
        switch fault?.kind {
        case nil:
            return answer()
        case .status(let status, let retryAfter)?:
            var answer = FakeAnswer.error(status, "injected fault: HTTP \(status)")
            if let retryAfter { answer.headers.append(("Retry-After", retryAfter)) }
            return answer
        case .hang(let duration)?:
            await self.pause(duration)
            return .error(504, "injected fault: no answer for \(duration)")
        case .delay(let duration)?:
            await self.pause(duration)
            return answer()
        }
    }

    /// Waits `duration`, or less when the fake stops or the request is cancelled.
    private func pause(_ duration: Duration) async {
        let until = ContinuousClock.now + duration
        while ContinuousClock.now < until, !self.stoppingFlag, !Task.isCancelled {
            try? await Task.sleep(for: .milliseconds(20))
        }
    }

    // MARK: APIs

    private func apiRequest(_ api: GCPFakeAPI, _ request: FakeIncoming) async -> (FakeAnswer, String?) {
        guard let document = self.documents[api] else { return (.error(404, "unknown API"), nil) }
        let (method, pathMatched) = document.match(method: request.method, segments: request.segments)
        guard let method else {
            let text = pathMatched
                ? "\(api.rawValue): \(request.method) is not a method of \(request.path)"
                : "\(api.rawValue): \(request.method) \(request.path) matches no method of \(document.name)"
            self.violation(text)
            return (.error(pathMatched ? 405 : 404, text), nil)
        }
        let problems = document.validate(query: request.query, for: method)
            + document.validate(body: request.body, contentType: request.headers["content-type"], for: method)
        if !problems.isEmpty {
            self.state.withLock { $0.violations.append(contentsOf: problems) }
            return (.error(400, problems.joined(separator: "; ")), method.id)
        }
        guard self.isAuthorized(request) else {
            return (.error(401, "Request had invalid authentication credentials. Expected OAuth 2 access token."), method.id)
        }
        let answer = await self.withFault(api: api, path: request.path) {
            self.state.withLock { state in self.handle(method.id, request, &state) }
        }
        return (answer, method.id)
    }

    private func isAuthorized(_ request: FakeIncoming) -> Bool {
        guard let header = request.headers["authorization"], header.hasPrefix("Bearer ") else { return false }
        let token = String(header.dropFirst("Bearer ".count))
        let now = Date()
        return self.state.withLock { state in state.tokens[token].map { $0 > now } ?? false }
    }

    /// The resource name in a `{+name}` path: everything after the version, without a `:verb`.
    private static func name(_ request: FakeIncoming, dropping suffix: Int = 0) -> String {
        var segments = Array(request.segments.dropFirst().dropLast(suffix))
        if let last = segments.last, let colon = last.lastIndex(of: ":") { segments[segments.count - 1] = String(last[..<colon]) }
        return segments.joined(separator: "/")
    }

    private func handle(_ id: String, _ request: FakeIncoming, _ state: inout State) -> FakeAnswer {
        let name = Self.name(request)
        func existing() -> FakeJSON? { state.resources[name] }
        func notFound() -> FakeAnswer { .error(404, "Resource '\(name)' was not found") }

        switch id {
        case "run.projects.locations.services.get", "run.projects.locations.services.revisions.get",
            "cloudscheduler.projects.locations.jobs.get", "pubsub.projects.subscriptions.get",
            "cloudcommerceprocurement.providers.entitlements.get", "cloudcommerceprocurement.providers.accounts.get":
            return existing().map { .json($0) } ?? notFound()

        case "run.projects.locations.services.revisions.list":
            let parent = Self.name(request, dropping: 1)
            guard state.resources[parent] != nil else { return .error(404, "Resource '\(parent)' was not found") }
            let revisions = state.resources.filter { $0.key.hasPrefix(parent + "/revisions/") }
                .sorted { $0.key > $1.key }.map(\.value)
            return .json(["revisions": .array(revisions)])

        case "run.projects.locations.services.patch":
            return self.patchService(name, request, &state)

        case "run.projects.locations.operations.get":
            guard var operation = state.operations[name] else { return notFound() }
            if operation.pollsLeft > 0 {
                operation.pollsLeft -= 1
            }
            if operation.pollsLeft == 0 {
                operation.resource["done"] = true
                var response = state.resources[operation.service] ?? [:]
                response["@type"] = "type.googleapis.com/google.cloud.run.v2.Service"
                operation.resource["response"] = response
            }
            state.operations[name] = operation
            return .json(operation.resource)

        case "cloudscheduler.projects.locations.jobs.pause", "cloudscheduler.projects.locations.jobs.resume":
            guard var job = existing() else { return notFound() }
            let pausing = id.hasSuffix("pause")
            let required = pausing ? "ENABLED" : "PAUSED"
            guard job["state"]?.string == required else {
                return .error(400, "Job must be \(required) to be \(pausing ? "paused" : "resumed")", "FAILED_PRECONDITION")
            }
            job["state"] = .string(pausing ? "PAUSED" : "ENABLED")
            state.resources[name] = job
            return .json(job)

        case "pubsub.projects.subscriptions.modifyPushConfig":
            guard var subscription = existing() else { return notFound() }
            subscription["pushConfig"] = request.json["pushConfig"] ?? .object([:])
            state.resources[name] = subscription
            return .json([:])

        case "cloudcommerceprocurement.providers.entitlements.approve":
            return self.transition(name, from: "ENTITLEMENT_ACTIVATION_REQUESTED", to: "ENTITLEMENT_ACTIVE", &state)

        case "cloudcommerceprocurement.providers.entitlements.reject":
            return self.transition(name, from: "ENTITLEMENT_ACTIVATION_REQUESTED", to: "ENTITLEMENT_CANCELLED", &state) { entitlement in
                entitlement["cancellationReason"] = request.json["reason"] ?? "rejected"
            }

        case "cloudcommerceprocurement.providers.entitlements.approvePlanChange",
            "cloudcommerceprocurement.providers.entitlements.rejectPlanChange":
            guard let pending = request.json["pendingPlanName"]?.string else {
                return .error(400, "pendingPlanName is required")
            }
            guard existing()?["newPendingPlan"]?.string == pending else {
                return .error(400, "pendingPlanName does not match the entitlement's newPendingPlan", "FAILED_PRECONDITION")
            }
            let approving = id.hasSuffix("approvePlanChange")
            return self.transition(name, from: "ENTITLEMENT_PENDING_PLAN_CHANGE_APPROVAL", to: "ENTITLEMENT_ACTIVE", &state) { entitlement in
                if approving { entitlement["plan"] = .string(pending) }
                entitlement["newPendingPlan"] = nil
            }

        case "cloudcommerceprocurement.providers.accounts.approve":
            guard var account = existing() else { return notFound() }
            let approval = request.json["approvalName"]?.string ?? ""
            guard case .array(var approvals) = account["approvals"] ?? .array([]),
                let index = approvals.firstIndex(where: { $0["name"]?.string == approval })
            else { return .error(400, "the account has no approval named \"\(approval)\"", "FAILED_PRECONDITION") }
            approvals[index]["state"] = "APPROVED"
            if let reason = request.json["reason"] { approvals[index]["reason"] = reason }
            account["approvals"] = .array(approvals)
            account["state"] = "ACCOUNT_ACTIVE"
            state.resources[name] = account
            return .json([:])

        default:
            return .error(501, "\(id) is a real method that the fake does not implement", "UNIMPLEMENTED")
        }
    }

    private func transition(
        _ name: String, from: String, to: String, _ state: inout State, change: (inout FakeJSON) -> Void = { _ in }
    ) -> FakeAnswer {
        guard var resource = state.resources[name] else { return .error(404, "Resource '\(name)' was not found") }
        guard resource["state"]?.string == from else {
            return .error(400, "the entitlement is \(resource["state"]?.string ?? "in no state"), not \(from)", "FAILED_PRECONDITION")
        }
        resource["state"] = .string(to)
        resource["updateTime"] = .string(ISO8601DateFormatter().string(from: Date()))
        change(&resource)
        state.resources[name] = resource
        return .json([:])
    }

    /// Applies the fields named in `updateMask`, checks the etag, bumps the generation, makes a revision when
    /// the template changes, and answers with a long-running operation.
    private func patchService(_ name: String, _ request: FakeIncoming, _ state: inout State) -> FakeAnswer {
        guard var service = state.resources[name] else { return .error(404, "Resource '\(name)' was not found") }
        let body = request.json
        if let etag = body["etag"]?.string, etag != service["etag"]?.string {
            return .error(409, "etag mismatch: the service changed since it was read", "ABORTED")
        }
        let mask = request.query.first { $0.0 == "updateMask" }?.1.split(separator: ",").map(String.init) ?? []
        guard !mask.isEmpty else {
            return .error(400, "the fake requires an updateMask")
        }
        var changedTemplate = false
        for path in mask {
            let keys = path.split(separator: ".").map(String.init)
            service.set(body.value(at: keys), at: keys)
            if keys.first == "template" { changedTemplate = true }
        }
        if changedTemplate, let revision = body["template"]?["revision"]?.string,
            state.resources["\(name)/revisions/\(revision)"] != nil
        {
            return .error(409, "Revision named '\(revision)' with different configuration already exists.", "ALREADY_EXISTS")
        }
        let short = String(name.split(separator: "/").last!)
        if changedTemplate {
            let count = state.resources.keys.filter { $0.hasPrefix(name + "/revisions/") }.count
            let revision = "\(name)/revisions/\(Self.revisionName(service: short, index: count + 1))"
            state.resources[revision] = [
                "name": .string(revision), "service": .string(name), "createTime": .string(ISO8601DateFormatter().string(from: Date())),
                "maxInstanceRequestConcurrency": service["template"]?["maxInstanceRequestConcurrency"] ?? 80,
                "scaling": service["template"]?["scaling"] ?? [:],
                "conditions": [["type": "Ready", "state": "CONDITION_SUCCEEDED"]],
            ]
            service["latestCreatedRevision"] = .string(revision)
            service["latestReadyRevision"] = .string(revision)
        }
        if case .array(let targets)? = service["traffic"] {
            let total = targets.reduce(0.0) { sum, target in
                if case .number(let percent)? = target["percent"] { return sum + percent }
                return sum
            }
            guard total == 100 else { return .error(400, "traffic percentages add up to \(Int(total)), not 100") }
            for target in targets {
                if let revision = target["revision"]?.string, state.resources["\(name)/revisions/\(revision)"] == nil {
                    return .error(400, "traffic names revision \(revision), which does not exist")
                }
            }
            let latest = service["latestReadyRevision"]?.string.map { String($0.split(separator: "/").last!) } ?? ""
            service["trafficStatuses"] = .array(targets.map { target in
                var status = target
                if status["revision"] == nil { status["revision"] = .string(latest) }
                return status
            })
        }
        let generation = (Int(service["generation"]?.string ?? "1") ?? 1) + 1
        service["generation"] = .string(String(generation))
        service["observedGeneration"] = .string(String(generation))
        service["etag"] = .string("\"\(generation)\"")
        service["template"]?["revision"] = nil
        state.resources[name] = service

        state.counter += 1
        let segments = name.split(separator: "/")
        let operationName = "projects/\(segments[1])/locations/\(segments[3])/operations/op-\(state.counter)-\(Self.randomHex(4))"
        var metadata = service
        metadata["@type"] = "type.googleapis.com/google.cloud.run.v2.Service"
        let operation: FakeJSON = ["name": .string(operationName), "metadata": metadata, "done": false]
        state.operations[operationName] = Operation(resource: operation, service: name, pollsLeft: state.operationPolls)
        if state.operationPolls == 0 {
            return .json(["name": .string(operationName), "metadata": metadata, "done": true, "response": metadata])
        }
        return .json(operation)
    }

    // MARK: Tokens

    private func issueToken() -> FakeAnswer {
        let token = "ya29.fake-" + Self.randomHex(16)
        let lifetime = self.state.withLock { state in
            state.tokens[token] = Date().addingTimeInterval(TimeInterval(state.tokenLifetime))
            return state.tokenLifetime
        }
        return .json(["access_token": .string(token), "expires_in": .number(Double(lifetime)), "token_type": "Bearer"])
    }

    /// `POST /token`: the JWT-bearer grant (RFC 7523) and the refresh-token grant.
    private func tokenEndpoint(_ request: FakeIncoming) -> FakeAnswer {
        guard request.method == "POST" else {
            self.violation("token: \(request.method) instead of POST")
            return .oauthError("invalid_request", "POST required", status: 405)
        }
        guard request.headers["content-type"]?.hasPrefix("application/x-www-form-urlencoded") == true else {
            self.violation("token: Content-Type \(request.headers["content-type"] ?? "missing"), expected application/x-www-form-urlencoded")
            return .oauthError("invalid_request", "form encoding required")
        }
        let form = Dictionary(Self.parseQuery(String(decoding: request.body, as: UTF8.self)), uniquingKeysWith: { $1 })
        switch form["grant_type"] {
        case "urn:ietf:params:oauth:grant-type:jwt-bearer":
            if let problem = self.checkAssertion(form["assertion"] ?? "") {
                self.violation("token: invalid JWT assertion: \(problem)")
                return .oauthError("invalid_grant", "Invalid JWT: \(problem)")
            }
            return self.issueToken()
        case "refresh_token":
            guard form["client_id"] == self.userClientID, form["client_secret"] == self.userClientSecret,
                form["refresh_token"] == self.userRefreshToken
            else {
                self.violation("token: refresh_token grant with unknown client or refresh token")
                return .oauthError("invalid_grant", "Bad Request")
            }
            return self.issueToken()
        default:
            self.violation("token: unsupported grant_type \(form["grant_type"] ?? "missing")")
            return .oauthError("unsupported_grant_type", "Invalid grant_type")
        }
    }

    /// Why a JWT assertion is invalid, or `nil` when it is valid.
    func checkAssertion(_ assertion: String) -> String? {
        let parts = assertion.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, let headerData = Self.base64URL(parts[0]), let claimsData = Self.base64URL(parts[1]),
            let signature = Self.base64URL(parts[2])
        else { return "not three base64url parts" }
        guard let header = FakeJSON(parsing: Array(headerData)), let claims = FakeJSON(parsing: Array(claimsData)) else {
            return "header or claims are not JSON"
        }
        guard header["alg"]?.string == "RS256" else { return "alg is not RS256" }
        guard header["kid"]?.string == self.privateKeyID else { return "kid is not the key's private_key_id" }
        let signingInput = Data("\(parts[0]).\(parts[1])".utf8)
        guard self.privateKey.publicKey.isValidSignature(
            _RSA.Signing.RSASignature(rawRepresentation: signature), for: signingInput, padding: .insecurePKCS1v1_5)
        else { return "bad RS256 signature" }
        guard claims["iss"]?.string == self.serviceAccountEmail else { return "iss is not the client email" }
        guard let audience = claims["aud"]?.string, [self.tokenURI, "https://oauth2.googleapis.com/token"].contains(audience)
        else { return "aud is neither the token_uri nor https://oauth2.googleapis.com/token" }
        guard let scope = claims["scope"]?.string, !scope.isEmpty else { return "no scope" }
        guard case .number(let issuedAt)? = claims["iat"], case .number(let expiry)? = claims["exp"] else {
            return "iat and exp must be numbers"
        }
        let now = Date().timeIntervalSince1970
        guard expiry - issuedAt <= 3600 else { return "lifetime \(Int(expiry - issuedAt)) s exceeds 3600 s" }
        guard expiry > now, issuedAt <= now + 60 else { return "not valid now (iat \(Int(issuedAt)), exp \(Int(expiry)))" }
        return nil
    }

    static func base64URL(_ text: Substring) -> Data? {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        return Data(base64Encoded: base64)
    }

    /// The metadata server: requires `Metadata-Flavor: Google` and answers with it.
    private func metadata(_ request: FakeIncoming) -> FakeAnswer {
        var answer: FakeAnswer
        let path = "/" + request.segments.joined(separator: "/")
        guard request.headers["metadata-flavor"] == "Google" else {
            self.violation("metadata: \(path) without the header Metadata-Flavor: Google")
            return .error(403, "Missing Metadata-Flavor: Google")
        }
        switch path {
        case "/", "/computeMetadata/v1/", "/computeMetadata/v1":
            answer = FakeAnswer(status: 200, body: Array("computeMetadata/\n".utf8))
        case "/computeMetadata/v1/instance/service-accounts/default/token":
            answer = self.issueToken()
        case "/computeMetadata/v1/instance/service-accounts/default/", "/computeMetadata/v1/instance/service-accounts/default":
            answer = .json([
                "email": .string(self.serviceAccountEmail), "aliases": ["default"],
                "scopes": ["https://www.googleapis.com/auth/cloud-platform"],
            ])
        case "/computeMetadata/v1/project/project-id":
            answer = FakeAnswer(status: 200, body: Array("fake-project".utf8))
        default:
            self.violation("metadata: no such path \(path)")
            answer = FakeAnswer(status: 404, body: [])
        }
        answer.headers.append(("Metadata-Flavor", "Google"))
        return answer
    }

    var stoppingFlag: Bool { self.stoppingValue }

    /// `/control/{name}` (``GCPFakeAPI/control``): `GET` answers the resource, `PATCH` sets the members of the JSON
    /// object it is sent (null removes one) and answers the result.
    private func control(_ request: FakeIncoming) -> FakeAnswer {
        let name = request.segments.joined(separator: "/")
        switch request.method {
        case "GET":
            return self.resource(name).map { .json($0) } ?? .error(404, "Resource '\(name)' was not found")
        case "PATCH":
            guard case .object(let members)? = FakeJSON(parsing: request.body) else {
                return .error(400, "control: PATCH takes a JSON object of the members to set")
            }
            return self.state.withLock { state in
                guard var resource = state.resources[name] else { return .error(404, "Resource '\(name)' was not found") }
                for (key, value) in members {
                    resource[key] = value == .null ? nil : value
                }
                state.resources[name] = resource
                return .json(resource)
            }
        default:
            return .error(405, "control: \(request.method) is neither GET nor PATCH")
        }
    }
}
