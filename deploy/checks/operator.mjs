// The custom resources in deploy/kubernetes (ServiceMonitor, PrometheusRule) through the
// validators the @kubernetes-models/prometheus-operator package generates from the operator's own
// API types: types, enums, required fields. (Unknown fields are caught by tsc on the same
// resources; see scripts/check-deploy.sh.) Usage: node operator.mjs resources.json
import { readFileSync } from "node:fs";
import * as v1 from "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1";

const resources = JSON.parse(readFileSync(process.argv[2], "utf8"));
let failed = 0;
for (const resource of resources) {
  const name = `${resource.kind} ${resource.metadata?.name}`;
  const Model = resource.apiVersion === "monitoring.coreos.com/v1" ? v1[resource.kind] : undefined;
  if (!Model) {
    console.error(`error: ${name}: no model for ${resource.apiVersion} ${resource.kind}`);
    failed++;
    continue;
  }
  try {
    new Model(resource).validate();
  } catch (err) {
    console.error(`error: ${name}: ${err.message}`);
    failed++;
  }
}
if (resources.length === 0) {
  console.error("error: no ServiceMonitor or PrometheusRule to check");
  failed++;
}
process.exit(failed ? 1 : 0);
