// The service a CloudWatch log group or stream names. One rule for every AWS producer:
// - a stream named after a Kubernetes container log file (Container Insights, Fluent Bit:
//   `…<pod>_<namespace>_<container>-<64 hex>[.log]`) → the container;
// - an ECS `awslogs` stream (`<prefix>/<container>/<task id>`) → the container;
// - else the group's last path segment (`/aws/lambda/checkout`, `/ecs/checkout`, `123456789012:/app/checkout`
//   → checkout), unless the group is one AWS shares between services, whose last segment names a kind of
//   log (Container Insights' `application`/`dataplane`/`host`/`performance`, EKS's control plane `cluster`).
// Lambda's own streams (`2024/05/07/[$LATEST]…`) name no service.

const K8S_CONTAINER_LOG = /(?:^|[./])[^_/]+_[^_/]+_([^_/]+)-[0-9a-f]{64}(?:\.log)?$/;
const ECS_STREAM = /^[^/]+\/([^/]+)\/[0-9a-f]{32}$/;
const SHARED_GROUP = /^\/aws\/(containerinsights\/[^/]+\/(application|dataplane|host|performance|prometheus)|eks\/[^/]+\/cluster|ecs\/containerinsights\/.*)$/;

export function serviceFromLogStream(stream: string): string | undefined {
  if (!stream) return undefined;
  return K8S_CONTAINER_LOG.exec(stream)?.[1] ?? ECS_STREAM.exec(stream)?.[1];
}

export function serviceFromLogGroup(group: string): string | undefined {
  const g = group.trim().replace(/^\d{12}:/, '');
  if (!g || SHARED_GROUP.test(g)) return undefined;
  const last = g.split('/').filter(Boolean).pop();
  // Lambda@Edge replicas: `/aws/lambda/us-east-1.checkout`.
  return last?.replace(/^[a-z]{2}(-[a-z]+)+-\d\./, '');
}
