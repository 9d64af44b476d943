import AutonomicsSamples
import Testing

@testable import AutonomicsCore

@Suite("Normalizer: Marketplace notifications")
struct MarketplaceNormalizationTests {
    @Test("an entitlement event names only the entitlement: the tenant awaits a Procurement lookup")
    func entitlementCreationRequested() throws {
        let event = try Fixtures.normalize(SampleEvents.marketplaceEntitlementCreationRequested).get()
        #expect(
            event
                == NormalizedEvent(
                    tenantID: "entitlement:5f2d8c1e-7a4b-4c9d-8e3f-6a1b0c2d4e5f",
                    tenantResolution: "marketplace.entitlement.id:pending_procurement_lookup",
                    eventID: "CREATE_ENTITLEMENT-0f6d1c3e-8b1a-4c8e-9d4f-2a7b5e9c1d30",
                    eventType: "ENTITLEMENT_CREATION_REQUESTED",
                    format: .marketplace,
                    eventTime: 1_795_169_730_123,
                    data: [
                        "provider_id": "acme-saas-public",
                        "entitlement_id": "5f2d8c1e-7a4b-4c9d-8e3f-6a1b0c2d4e5f",
                        "entitlement_update_time": "2026-11-20T10:15:30.123456Z",
                        "entitlement_new_offer_duration": "P2Y3M",
                    ],
                    origin: Fixtures.origin
                )
        )
    }

    @Test("a private offer acceptance has no providerId")
    func offerAccepted() throws {
        let event = try Fixtures.normalize(SampleEvents.marketplaceOfferAccepted).get()
        #expect(event.eventType == "ENTITLEMENT_OFFER_ACCEPTED")
        #expect(event.data["provider_id"] == nil)
        #expect(event.data["entitlement_new_offer_end_time"] == "2028-02-29T23:59:59Z")
        #expect(event.data["entitlement_new_offer_duration"] == "")
        #expect(event.eventTime == 1_795_170_000_000)
    }

    @Test("an account event names the tenant by account id")
    func accountActive() throws {
        let event = try Fixtures.normalize(SampleEvents.marketplaceAccountActive).get()
        #expect(event.tenantID == SampleEvents.tenantID)
        #expect(event.tenantResolution == "marketplace.account.id")
        #expect(event.eventID == "ACCOUNT_ACTIVE-7d1e4a9c-2b6f-4e3d-8a5c-0f9b1e2d3c4a")
        #expect(event.eventTime == 1_795_169_112_000)
        #expect(
            event.data
                == [
                    "provider_id": "acme-saas-public",
                    "account_id": .string(SampleEvents.tenantID),
                    "account_update_time": "2026-11-20T10:05:12.000Z",
                ]
        )
    }

    @Test("an unknown eventType is accepted: it means re-read and reconcile")
    func unknownEventType() throws {
        let event = try Fixtures.normalize(Fixtures.marketplace(eventType: "ENTITLEMENT_RENEWED")).get()
        #expect(event.eventType == "ENTITLEMENT_RENEWED")
        #expect(event.tenantID == "entitlement:ent-1")
    }

    // The offset moves the last two out of years 0000–9999 in UTC, where RFC 3339 cannot write them.
    @Test(
        "an updateTime that is not RFC 3339 falls back to the record timestamp, then to now",
        arguments: ["...", "0000-01-01T00:00:00+23:59", "9999-12-31T23:59:59.999-23:59"]
    )
    func eventTimeFallback(updateTime: String) throws {
        let notification = Fixtures.marketplace(
            members: #", "entitlement": {"id": "ent-1", "updateTime": "\#(updateTime)"}"#
        )
        #expect(try Fixtures.normalize(notification).get().eventTime == Fixtures.origin.timestamp)
        var origin = Fixtures.origin
        origin.timestamp = nil
        #expect(try Fixtures.normalize(notification, origin: origin).get().eventTime == Fixtures.now)
    }

    @Test("a record timestamp outside years 0000–9999 is dropped, not trusted", arguments: [Int64.max, Int64.min])
    func absurdRecordTimestamp(timestamp: Int64) throws {
        var origin = Fixtures.origin
        origin.timestamp = timestamp
        let placeholder = Fixtures.marketplace(members: #", "entitlement": {"id": "ent-1", "updateTime": "..."}"#)
        let event = try Fixtures.normalize(placeholder, origin: origin).get()
        #expect(event.origin.timestamp == nil)
        #expect(event.eventTime == Fixtures.now)
        #expect(try NormalizedEvent(decoding: event.encoded()) == event)
    }

    @Test("data keeps scalar members only; fractions become text")
    func scalarData() throws {
        let json = Fixtures.marketplace(
            members:
                #", "entitlement": {"id": "e", "quantity": 3, "ratio": 0.5, "flag": true, "ids": ["a"], "x": null, "o": {}}"#
        )
        #expect(
            try Fixtures.normalize(json).get().data
                == [
                    "entitlement_id": "e", "entitlement_quantity": 3, "entitlement_ratio": "0.5",
                    "entitlement_flag": true,
                ]
        )
    }

    static let invalid: [(json: String, rejection: Rejection)] = [
        (
            #"{"eventType": "ENTITLEMENT_ACTIVE", "entitlement": {"id": "e"}}"#,
            Rejection(code: .missingField, message: #"marketplace field "eventId" is missing"#)
        ),
        (
            #"{"eventId": "x", "eventType": 5, "entitlement": {"id": "e"}}"#,
            Rejection(
                code: .invalidField,
                message: #"marketplace field "eventType": expected a non-empty string, found 5"#
            )
        ),
        (
            #"{"eventId": "", "eventType": "A", "entitlement": {"id": "e"}}"#,
            Rejection(
                code: .invalidField,
                message: #"marketplace field "eventId": expected a non-empty string, found """#
            )
        ),
        (
            Fixtures.marketplace(members: ""),
            Rejection(
                code: .missingField,
                message: #"marketplace notification has neither an "entitlement" nor an "account" object"#
            )
        ),
        (
            Fixtures.marketplace(members: #", "entitlement": {"updateTime": "2026-11-20T10:00:00Z"}"#),
            Rejection(code: .missingField, message: #"marketplace field "entitlement.id" is missing"#)
        ),
        (
            Fixtures.marketplace(members: #", "entitlement": "ent-1""#),
            Rejection(
                code: .invalidField,
                message: #"marketplace field "entitlement": expected an object, found "ent-1""#
            )
        ),
        (
            Fixtures.marketplace(members: #", "entitlement": {"id": ""}"#),
            Rejection(
                code: .invalidTenantID,
                message: #"marketplace field "entitlement.id": expected an id that with "entitlement:" before it "#
                    + #"makes 1–256 printable ASCII characters, found """#
            )
        ),
        (
            Fixtures.marketplace(members: #", "account": {"id": "compañía"}"#),
            Rejection(
                code: .invalidTenantID,
                message: #"marketplace field "account.id": expected a tenant id of 1–256 printable ASCII characters, "#
                    + #"found "compañía""#
            )
        ),
        (
            Fixtures.marketplace(members: #", "providerId": 7, "account": {"id": "a"}"#),
            Rejection(code: .invalidField, message: #"marketplace field "providerId": expected a string, found 7"#)
        ),
    ]

    @Test("rejects malformed notifications, naming the field", arguments: invalid)
    func rejects(json: String, rejection: Rejection) {
        #expect(Fixtures.normalize(json).rejection == rejection)
    }

    @Test("the tenant rule applies to the prefixed entitlement tenant: 244 id characters fit, 245 do not")
    func entitlementIDLength() {
        func normalize(idLength: Int) -> Result<NormalizedEvent, Rejection> {
            let id = String(repeating: "e", count: idLength)
            return Fixtures.normalize(Fixtures.marketplace(members: ", \"entitlement\": {\"id\": \"\(id)\"}"))
        }
        #expect((try? normalize(idLength: 244).get().tenantID.utf8.count) == 256)
        #expect(normalize(idLength: 245).rejection?.code == .invalidTenantID)
    }

    @Test("an account id wins over an entitlement id when both are present")
    func accountAndEntitlement() throws {
        let json = Fixtures.marketplace(members: #", "account": {"id": "acct-1"}, "entitlement": {"id": "ent-1"}"#)
        let event = try Fixtures.normalize(json).get()
        #expect(event.tenantID == "acct-1")
        #expect(event.data["entitlement_id"] == "ent-1")
    }
}

@Suite("Entitlement events resolved by a Procurement GET")
struct EntitlementResolutionCoreTests {
    private func pending() throws -> NormalizedEvent {
        let origin = EventOrigin(topic: "events", partition: 0, offset: 7, timestamp: 1_000)
        return try Normalizer(settings: IntakeSettings())
            .normalize(Array(SampleEvents.marketplaceEntitlementCreationRequested.utf8), origin: origin, now: 0).get()
    }

    @Test("the event becomes its account's, carries the GET's answer and decodes to the same snapshot")
    func resolved() throws {
        let event = try pending()
        let pendingEntitlement = try #require(event.pendingEntitlement)
        #expect(pendingEntitlement.id == SampleEvents.entitlementID)
        #expect(pendingEntitlement.providerID == "acme-saas-public")
        let name = "providers/acme-saas-public/entitlements/\(SampleEvents.entitlementID)"
        let lookup = EntitlementLookup(
            name: name, accountID: "acct-1", state: "ENTITLEMENT_ACTIVATION_REQUESTED", plan: "standard")
        let resolved = try event.resolved(by: lookup)
        #expect(resolved.tenantID == "acct-1")
        #expect(resolved.pendingEntitlement == nil)
        let decoded = try NormalizedEvent(decoding: resolved.encoded())
        #expect(decoded == resolved)
        #expect(EntitlementSnapshot(decoded) == EntitlementSnapshot(
            entitlementID: name, state: .activationRequested, plan: "standard",
            eventID: event.eventID, time: event.eventTime))
        #expect(EntitlementSnapshot(event) == nil, "an unresolved event carries no snapshot")

        let deleted = try event.resolved(by: EntitlementLookup(name: name, accountID: "acct-1", state: nil))
        #expect(EntitlementSnapshot(deleted)?.state == .deleted)
    }

    @Test("an account that is no tenant id, or a state the machine does not know, is unresolvable")
    func unresolvable() throws {
        let event = try pending()
        let badAccount = EntitlementLookup(name: "providers/p/entitlements/e", accountID: "", state: "ENTITLEMENT_ACTIVE")
        #expect(throws: Rejection.self) { try event.resolved(by: badAccount) }
        let unknownState = EntitlementLookup(name: "providers/p/entitlements/e", accountID: "a", state: "ENTITLEMENT_STATE_UNSPECIFIED")
        do {
            _ = try event.resolved(by: unknownState)
            Issue.record("an unknown state is refused")
        } catch {
            #expect(error.code == .entitlementUnresolvable)
        }
    }
}
