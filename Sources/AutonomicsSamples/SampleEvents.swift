import AutonomicsCore

/// Realistic input payloads, made from the examples in Google's documentation with the placeholders filled in and
/// the comments removed. All belong to one tenant, ``tenantID``. The CLI's `produce` command sends them; tests
/// normalize every one.
public enum SampleEvents {
    /// The tenant of every sample: a Marketplace account id, also used as the signal's `tenant_id` and the
    /// Monitoring policy's `tenant_id` label.
    public static let tenantID = "9e7c4d2a-5b1f-4e8a-b3c6-1d0f2e4a6b8c"
    /// The Procurement provider of the Marketplace samples that name one.
    public static let providerID = "acme-saas-public"
    /// The entitlement of the entitlement samples.
    public static let entitlementID = "5f2d8c1e-7a4b-4c9d-8e3f-6a1b0c2d4e5f"

    /// A direct metric signal.
    public static let signal = #"""
        {"tenant_id": "9e7c4d2a-5b1f-4e8a-b3c6-1d0f2e4a6b8c", "metric": "cpu_utilization", "value": 87.5,
         "timestamp": "2026-11-20T10:15:30.250Z"}
        """#

    /// `ENTITLEMENT_CREATION_REQUESTED` for a SaaS product (manage-entitlements).
    public static let marketplaceEntitlementCreationRequested = #"""
        {
          "eventId": "CREATE_ENTITLEMENT-0f6d1c3e-8b1a-4c8e-9d4f-2a7b5e9c1d30",
          "eventType": "ENTITLEMENT_CREATION_REQUESTED",
          "providerId": "acme-saas-public",
          "entitlement": {
            "id": "5f2d8c1e-7a4b-4c9d-8e3f-6a1b0c2d4e5f",
            "updateTime": "2026-11-20T10:15:30.123456Z",
            "newOfferDuration": "P2Y3M"
          }
        }
        """#

    /// `ENTITLEMENT_OFFER_ACCEPTED` for a private offer with automatic approval (no `providerId` in this variant).
    public static let marketplaceOfferAccepted = #"""
        {
          "eventId": "OFFER_ACCEPTED-3a9e6b2d-1c4f-4d7a-9b8e-5f0a2c6d8e1b",
          "eventType": "ENTITLEMENT_OFFER_ACCEPTED",
          "entitlement": {
            "id": "5f2d8c1e-7a4b-4c9d-8e3f-6a1b0c2d4e5f",
            "updateTime": "2026-11-20T10:20:00.000Z",
            "newOfferDuration": "",
            "newOfferStartTime": "2026-12-01T00:00:00Z",
            "newOfferEndTime": "2028-02-29T23:59:59Z"
          }
        }
        """#

    /// `ACCOUNT_ACTIVE`, in the message shape of the Procurement documentation.
    public static let marketplaceAccountActive = #"""
        {
          "eventId": "ACCOUNT_ACTIVE-7d1e4a9c-2b6f-4e3d-8a5c-0f9b1e2d3c4a",
          "eventType": "ACCOUNT_ACTIVE",
          "providerId": "acme-saas-public",
          "account": {
            "id": "9e7c4d2a-5b1f-4e8a-b3c6-1d0f2e4a6b8c",
            "updateTime": "2026-11-20T10:05:12.000Z"
          }
        }
        """#

    /// Google's schema 1.2 example (a closed GCE CPU incident) with a `tenant_id` policy user label added.
    public static let monitoringClosed = #"""
        {
          "incident": {
            "incident_id": "0.opqiw61fsv7p",
            "scoping_project_id": "internal-project",
            "scoping_project_number": 12345,
            "url": "https://console.cloud.google.com/monitoring/alerting/incidents/0.lxfiw61fsv7p?project=internal-project",
            "severity": "no severity",
            "started_at": 1577840461,
            "ended_at": 1577877071,
            "state": "closed",
            "resource_id": "11223344",
            "resource_name": "internal-project gke-cluster-1-default-pool-e2df4cbd-dgp3",
            "resource_display_name": "gke-cluster-1-default-pool-e2df4cbd-dgp3",
            "resource_type_display_name": "VM Instance",
            "resource": {
              "type": "gce_instance",
              "labels": {
                "instance_id": "11223344",
                "project_id": "internal-project",
                "zone": "us-central1-c"
              }
            },
            "metric": {
              "type": "compute.googleapis.com/instance/cpu/utilization",
              "displayName": "CPU utilization",
              "labels": {
                "instance_name": "the name of the VM instance"
              }
            },
            "metadata": {
              "system_labels": { "labelkey": "labelvalue" },
              "user_labels": { "labelkey": "labelvalue" }
            },
            "policy_name": "Monitor-Project-Cluster",
            "policy_user_labels" : {
                "user-label-1" : "important label",
                "user-label-2" : "another label",
                "tenant_id" : "9e7c4d2a-5b1f-4e8a-b3c6-1d0f2e4a6b8c"
            },
            "condition_name": "VM Instance - CPU utilization [MAX]",
            "threshold_value": "0.9",
            "observed_value": "0.835",
            "condition": {
              "name": "projects/internal-project/alertPolicies/1234567890123456789/conditions/1234567890123456789",
              "displayName": "VM Instance - CPU utilization [MAX]",
              "conditionThreshold": {
                "filter": "metric.type=\"compute.googleapis.com/instance/cpu/utilization\" resource.type=\"gce_instance\" metadata.system_labels.\"state\"=\"ACTIVE\"",
                "aggregations": [
                  {
                    "alignmentPeriod": "120s",
                    "perSeriesAligner": "ALIGN_MEAN"
                  }
                ],
                "comparison": "COMPARISON_GT",
                "thresholdValue": 0.9,
                "duration": "0s",
                "trigger": {
                  "count": 1
                }
              }
            },
            "documentation": {
              "content": "TEST ALERT\n\npolicy.name=projects/internal-project/alertPolicies/1234567890123456789\n\npolicy.display_name=Monitored-Project-NO-GROUPBY\n\ncondition.name=projects/nternal-project/alertPolicies/1234567890123456789/conditions/1234567890123456789\n\ncondition.display_name=VM Instance - CPU utilization [MAX]\n\nproject=internal-project\n\nresrouce.project=internal-project \n\nDONE\n",
              "mime_type": "text/markdown",
              "subject": "ALERT - No severity",
              "links": [
                {
                  "displayName": "Playbook",
                  "url": "https://myownpersonaldomain.com/playbook?name=${resource.name}"
                }
              ]
            },
            "summary": "CPU utilization for internal-project gke-cluster-1-16-default-pool-e2df4cbd-dgp3 with metric labels {instance_name=gke-cluster-1-default-pool-e2df4cbd-dgp3} and system labels {state=ACTIVE} returned to normal with a value of 0.835."
          },
          "version": "1.2"
        }
        """#

    /// The same incident while open: `ended_at` is null.
    public static let monitoringOpen = #"""
        {
          "incident": {
            "incident_id": "0.opqiw61fsv7p",
            "scoping_project_id": "internal-project",
            "scoping_project_number": 12345,
            "url": "https://console.cloud.google.com/monitoring/alerting/incidents/0.lxfiw61fsv7p?project=internal-project",
            "severity": "no severity",
            "started_at": 1577840461,
            "ended_at": null,
            "state": "open",
            "resource_id": "11223344",
            "resource_name": "internal-project gke-cluster-1-default-pool-e2df4cbd-dgp3",
            "resource_display_name": "gke-cluster-1-default-pool-e2df4cbd-dgp3",
            "resource_type_display_name": "VM Instance",
            "resource": {
              "type": "gce_instance",
              "labels": { "instance_id": "11223344", "project_id": "internal-project", "zone": "us-central1-c" }
            },
            "metric": {
              "type": "compute.googleapis.com/instance/cpu/utilization",
              "displayName": "CPU utilization",
              "labels": { "instance_name": "the name of the VM instance" }
            },
            "metadata": {
              "system_labels": { "labelkey": "labelvalue" },
              "user_labels": { "labelkey": "labelvalue" }
            },
            "policy_name": "Monitor-Project-Cluster",
            "policy_user_labels": {
              "user-label-1": "important label",
              "user-label-2": "another label",
              "tenant_id": "9e7c4d2a-5b1f-4e8a-b3c6-1d0f2e4a6b8c"
            },
            "condition_name": "VM Instance - CPU utilization [MAX]",
            "threshold_value": "0.9",
            "observed_value": "0.935",
            "documentation": {
              "content": "CPU above 90% on a tenant VM.",
              "mime_type": "text/markdown",
              "subject": "ALERT - No severity",
              "links": []
            },
            "summary": "CPU utilization for internal-project gke-cluster-1-16-default-pool-e2df4cbd-dgp3 with metric labels {instance_name=gke-cluster-1-default-pool-e2df4cbd-dgp3} and system labels {state=ACTIVE} is above the threshold of 0.900 with a value of 0.935."
          },
          "version": "1.2"
        }
        """#

    /// What the console's "send test notification" button sends: `version` "test", `state` "OPEN", documentation
    /// a plain string, a resource path as `policy_name`.
    public static let monitoringConsoleTest = #"""
        {
          "incident": {
            "incident_id": "12345",
            "scoping_project_id": "acme-saas-prod",
            "scoping_project_number": 12345,
            "url": "http://www.example.com",
            "severity": "no severity",
            "started_at": 1795169730,
            "ended_at": 0,
            "state": "OPEN",
            "summary": "Test Incident",
            "apigee_url": "http://www.example.com",
            "observed_value": "1.0",
            "resource": { "type": "example_resource", "labels": { "example": "label" } },
            "resource_type_display_name": "Example Resource Type",
            "resource_id": "12345",
            "resource_display_name": "Example Resource",
            "resource_name": "projects/12345/example_resources/12345",
            "metric": { "type": "test.googleapis.com/metric", "displayName": "Test Metric", "labels": { "example": "label" } },
            "metadata": { "system_labels": { "example": "label" }, "user_labels": { "example": "label" } },
            "policy_name": "projects/12345/alertPolicies/12345",
            "policy_user_labels": { "example": "label", "tenant_id": "9e7c4d2a-5b1f-4e8a-b3c6-1d0f2e4a6b8c" },
            "documentation": "Test documentation",
            "condition": {
              "name": "projects/12345/alertPolicies/12345/conditions/12345",
              "displayName": "Example condition",
              "conditionThreshold": {
                "filter": "metric.type=\"test.googleapis.com/metric\" resource.type=\"example_resource\"",
                "comparison": "COMPARISON_GT",
                "thresholdValue": 0.5,
                "duration": "500s",
                "trigger": { "count": 1 }
              }
            },
            "condition_name": "Example condition",
            "threshold_value": "0.5"
          },
          "version": "test"
        }
        """#

    public static let signalEnvelope = pubSubEnvelope(wrapping: signal, messageID: "2070443601311540")
    public static let marketplaceEntitlementCreationRequestedEnvelope =
        pubSubEnvelope(wrapping: marketplaceEntitlementCreationRequested, messageID: "2070443601311541")
    public static let marketplaceOfferAcceptedEnvelope =
        pubSubEnvelope(wrapping: marketplaceOfferAccepted, messageID: "2070443601311542")
    public static let marketplaceAccountActiveEnvelope =
        pubSubEnvelope(wrapping: marketplaceAccountActive, messageID: "2070443601311543")
    public static let monitoringClosedEnvelope = pubSubEnvelope(
        wrapping: monitoringClosed,
        messageID: "2070443601311544"
    )
    public static let monitoringOpenEnvelope = pubSubEnvelope(wrapping: monitoringOpen, messageID: "2070443601311545")
    public static let monitoringConsoleTestEnvelope =
        pubSubEnvelope(wrapping: monitoringConsoleTest, messageID: "2070443601311546")

    /// Every sample, raw and in a Pub/Sub envelope (`<name>-envelope`).
    public static let all: [(name: String, json: String)] = [
        ("signal", signal),
        ("signal-envelope", signalEnvelope),
        ("marketplace-entitlement-creation-requested", marketplaceEntitlementCreationRequested),
        ("marketplace-entitlement-creation-requested-envelope", marketplaceEntitlementCreationRequestedEnvelope),
        ("marketplace-offer-accepted", marketplaceOfferAccepted),
        ("marketplace-offer-accepted-envelope", marketplaceOfferAcceptedEnvelope),
        ("marketplace-account-active", marketplaceAccountActive),
        ("marketplace-account-active-envelope", marketplaceAccountActiveEnvelope),
        ("monitoring-closed", monitoringClosed),
        ("monitoring-closed-envelope", monitoringClosedEnvelope),
        ("monitoring-open", monitoringOpen),
        ("monitoring-open-envelope", monitoringOpenEnvelope),
        ("monitoring-console-test", monitoringConsoleTest),
        ("monitoring-console-test-envelope", monitoringConsoleTestEnvelope),
    ]

    /// Events the worker must refuse, one per common mistake, each named after the dead-letter code it earns.
    /// `autonomics produce` sends them after ``all`` to show the dead-letter topic at work.
    public static let invalid: [(name: String, json: String)] = [
        (
            "dlq-value-out-of-range",
            #"{"tenant_id":"\#(tenantID)","metric":"cpu_utilization","value":140,"timestamp":"2026-11-20T10:15:00Z"}"#
        ),
        ("dlq-invalid-json", "tenant=\(tenantID) cpu=97"),
    ]

    /// `json` as the body of a Pub/Sub push: base64 in `message.data`, with both spellings of the id and publish
    /// time as Pub/Sub sends them.
    public static func pubSubEnvelope(
        wrapping json: String,
        messageID: String,
        publishTime: String = "2026-11-20T10:15:31.042Z",
        subscription: String = "projects/acme-saas-prod/subscriptions/autonomics-push"
    ) -> String {
        let envelope: JSONValue = [
            "message": [
                "attributes": [:],
                "data": .string(Base64.encode(Array(json.utf8))),
                "messageId": .string(messageID),
                "message_id": .string(messageID),
                "publishTime": .string(publishTime),
                "publish_time": .string(publishTime),
            ],
            "subscription": .string(subscription),
        ]
        return String(decoding: CanonicalJSON.encode(envelope), as: UTF8.self)
    }
}
