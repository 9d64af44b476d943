/// Cloud Commerce Partner Procurement notifications. The message is only a pointer: the governor re-reads the
/// entitlement or account, so any `eventType` is accepted (an unknown one means "re-read and reconcile").
extension Normalizer {
    func normalizeMarketplace(
        _ fields: FieldReader,
        origin: EventOrigin,
        now: Int64
    ) throws(Rejection) -> NormalizedEvent {
        let eventID = try fields.requiredString("eventId")
        let eventType = try fields.requiredString("eventType")
        var data: [String: JSONValue] = [:]
        if let providerID = try fields.optionalString("providerId") { data["provider_id"] = .string(providerID) }

        let account = try fields.optionalObject("account")
        let entitlement = try fields.optionalObject("entitlement")
        let tenantID: String
        let tenantResolution: String
        // An account id names the tenant; an entitlement id names only a purchase, whose account the intake learns
        // from the Procurement API: until then the event carries a placeholder tenant that never leaves the intake
        // (see ``NormalizedEvent/pendingEntitlement`` and ``NormalizedEvent/resolved(by:)``).
        if let account {
            tenantID = try account.tenantID("id")
            tenantResolution = "marketplace.account.id"
        } else if let entitlement {
            tenantID = try entitlement.tenantID("id", prefix: "entitlement:")
            tenantResolution = NormalizedEvent.pendingEntitlementResolution
        } else {
            throw Rejection(
                code: .missingField,
                message: "marketplace notification has neither an \"entitlement\" nor an \"account\" object"
            )
        }
        for (name, object) in [("account", account), ("entitlement", entitlement)] {
            guard let object else { continue }
            for (key, value) in object.members {
                if let scalar = Self.scalarData(value) { data[name + "_" + Self.snakeCase(key)] = scalar }
            }
        }

        let updateTime = try (account ?? entitlement)?.optionalString("updateTime")
        return NormalizedEvent(
            tenantID: tenantID,
            tenantResolution: tenantResolution,
            eventID: eventID,
            eventType: eventType,
            format: .marketplace,
            eventTime: updateTime.flatMap(RFC3339.parse) ?? origin.timestamp ?? now,
            data: data,
            origin: origin
        )
    }

    /// A member kept in ``NormalizedEvent/data``: strings, booleans and integers as they are, other numbers as their
    /// text; arrays, objects and nulls are left out.
    private static func scalarData(_ value: JSONValue) -> JSONValue? {
        switch value {
        case .string, .bool: value
        case .number(let text): CanonicalJSON.isCanonicalInteger(text) ? value : .string(text)
        case .null, .array, .object: nil
        }
    }

    /// `newOfferDuration` → `new_offer_duration`.
    private static func snakeCase(_ camelCase: String) -> String {
        // Keys are ASCII in practice: byte by byte, without the cost of Characters.
        guard camelCase.utf8.allSatisfy({ $0 < 0x80 }) else {
            var result = ""
            for character in camelCase {
                if character.isUppercase {
                    result.append("_")
                    result.append(contentsOf: character.lowercased())
                } else {
                    result.append(character)
                }
            }
            return result
        }
        var result: [UInt8] = []
        result.reserveCapacity(camelCase.utf8.count + 4)
        for byte in camelCase.utf8 {
            if byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") {
                result.append(UInt8(ascii: "_"))
                result.append(byte + 0x20)
            } else {
                result.append(byte)
            }
        }
        return String(decoding: result, as: UTF8.self)
    }
}
