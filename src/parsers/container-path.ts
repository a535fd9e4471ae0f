// Kubernetes names from a container log's path: /var/log/pods/NS_POD_UID/CONTAINER/N.log, /var/log/containers/*.log.
import type { Fields } from "../core/record.js";

/** Namespaces and pod names are DNS names (no `_`), so `_` splits the folder and file names unambiguously. */
const PODS = /\/pods\/([^/_]+)_([^/_]+)_([^/_]+)\/([^/]+)\/\d+\.log(?:\.[^/]*)?$/;
const CONTAINERS = /\/containers\/([^/_]+)_([^/_]+)_(.+)-([0-9a-f]{64})\.log$/;

/** The Kubernetes fields the path gives (none for another path); the last answer is kept, as lines come in runs. */
export class PodPathFields {
  private lastPath: string | undefined;
  private lastFields: Fields = {};

  of(path: string | undefined): Fields {
    if (path === undefined) return {};
    if (path !== this.lastPath) {
      this.lastPath = path;
      this.lastFields = podFields(path);
    }
    return this.lastFields;
  }
}

/** Every field podFields may set. */
export const POD_PATH_FIELDS = ["namespace", "pod", "pod_uid", "container", "container_id"] as const;

export function podFields(path: string): Fields {
  const pods = PODS.exec(path);
  if (pods) return { namespace: pods[1]!, pod: pods[2]!, pod_uid: pods[3]!, container: pods[4]! };
  const containers = CONTAINERS.exec(path);
  if (containers)
    return { pod: containers[1]!, namespace: containers[2]!, container: containers[3]!, container_id: containers[4]! };
  return {};
}
