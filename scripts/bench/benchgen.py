"""Input generators for scripts/bench-compare: ktera charts, their Go-template (Helm) twins,
Kustomize trees and ktera projects, all written under a scratch directory.

Each pair renders the same objects; bench-compare checks that with `ktera diff` before timing.
"""

import os
import shutil

DEPLOYMENT_TERA = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{{{ Release.Name }}}}-app-{i:04}
  labels:
    app: app-{i:04}
    release: {{{{ Release.Name }}}}
spec:
  replicas: {{{{ Values.replicaCount }}}}
  selector:
    matchLabels:
      app: app-{i:04}
  template:
    metadata:
      labels:
        app: app-{i:04}
    spec:
      containers:
        - name: app
          image: "{{{{ Values.image.repository }}}}:{{{{ Values.image.tag }}}}"
          ports:
            - containerPort: {{{{ Values.port }}}}
          env:
          {{%- for key, value in Values.env %}}
            - name: {{{{ key }}}}
              value: {{{{ value | quote }}}}
          {{%- endfor %}}
          resources:{{{{ Values.resources | to_yaml | nindent(width=12) }}}}
"""

DEPLOYMENT_GO = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{{{ .Release.Name }}}}-app-{i:04}
  labels:
    app: app-{i:04}
    release: {{{{ .Release.Name }}}}
spec:
  replicas: {{{{ .Values.replicaCount }}}}
  selector:
    matchLabels:
      app: app-{i:04}
  template:
    metadata:
      labels:
        app: app-{i:04}
    spec:
      containers:
        - name: app
          image: "{{{{ .Values.image.repository }}}}:{{{{ .Values.image.tag }}}}"
          ports:
            - containerPort: {{{{ .Values.port }}}}
          env:
          {{{{- range $key, $value := .Values.env }}}}
            - name: {{{{ $key }}}}
              value: {{{{ $value | quote }}}}
          {{{{- end }}}}
          resources: {{{{- toYaml .Values.resources | nindent 12 }}}}
"""

# Keys sorted: Helm ranges over maps in key order, ktera in written order.
TEMPLATES_VALUES = """\
replicaCount: 2
port: 8080
image:
  repository: registry.example.com/app
  tag: "1.0.0"
env:
  LOG_FORMAT: json
  LOG_LEVEL: info
  TZ: UTC
resources:
  requests:
    cpu: 100m
    memory: 128Mi
  limits:
    memory: 256Mi
"""


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)


def chart_yaml(name):
    return f"apiVersion: v2\nname: {name}\nversion: 0.1.0\nappVersion: \"1.0.0\"\n"


def templates_chart(root, count, go=False):
    """A chart of `count` Deployment templates (ktera's, or Helm's with go=True)."""
    shutil.rmtree(root, ignore_errors=True)
    write(os.path.join(root, "Chart.yaml"), chart_yaml("many"))
    write(os.path.join(root, "values.yaml"), TEMPLATES_VALUES)
    body = DEPLOYMENT_GO if go else DEPLOYMENT_TERA
    for i in range(count):
        write(os.path.join(root, "templates", f"deployment-{i:04}.yaml"), body.format(i=i))
    return root


def big_values(path, megabytes, part_mb=25):
    """About `megabytes` MB of values that no template reads, as mappings of nested entries.
    Written in files of at most `part_mb` MB (ktera reads at most 256 MiB per values file);
    returns their paths, to pass as several -f flags."""
    target = megabytes * 1024 * 1024
    paths = []
    written = 0
    i = 0
    part = 0
    while written < target:
        file_path = f"{path}.{part}.yaml" if megabytes > part_mb else path
        os.makedirs(os.path.dirname(file_path), exist_ok=True)
        size = 0
        limit = min(part_mb * 1024 * 1024, target - written)
        with open(file_path, "w") as f:
            f.write(f"extra{part}:\n")
            while size < limit:
                entry = (
                    f"  item-{i:08}:\n"
                    f"    name: item-{i:08}\n"
                    f"    enabled: true\n"
                    f"    weight: {i % 1000}\n"
                    f"    tags: [a, b, c]\n"
                    f"    description: \"entry {i} of the generated values, long enough to count\"\n"
                )
                f.write(entry)
                size += len(entry)
                i += 1
        written += size
        paths.append(file_path)
        part += 1
    return paths


# --- 1,000 objects: a Kustomize base + overlay, and a ktera chart producing the same --------

APPS_TERA = """\
{%- for app in Values.apps %}
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ Values.namePrefix }}{{ app.name }}
  labels:{{ Values.labels | to_yaml | nindent(width=4) }}
    app: {{ app.name }}
spec:
  replicas: {{ app.replicas }}
  selector:
    matchLabels:
      app: {{ app.name }}
  template:
    metadata:
      labels:{{ Values.labels | to_yaml | nindent(width=8) }}
        app: {{ app.name }}
    spec:
      containers:
        - name: app
          image: {{ Values.image.name }}:{{ Values.image.tag }}
          ports:
            - containerPort: {{ app.port }}
---
apiVersion: v1
kind: Service
metadata:
  name: {{ Values.namePrefix }}{{ app.name }}
  labels:{{ Values.labels | to_yaml | nindent(width=4) }}
    app: {{ app.name }}
spec:
  selector:
    app: {{ app.name }}
  ports:
    - port: 80
      targetPort: {{ app.port }}
{%- endfor %}
"""

APP_BASE = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {name}
  labels:
    app: {name}
spec:
  replicas: {replicas}
  selector:
    matchLabels:
      app: {name}
  template:
    metadata:
      labels:
        app: {name}
    spec:
      containers:
        - name: app
          image: registry.example.com/app:1.0.0
          ports:
            - containerPort: {port}
---
apiVersion: v1
kind: Service
metadata:
  name: {name}
  labels:
    app: {name}
spec:
  selector:
    app: {name}
  ports:
    - port: 80
      targetPort: {port}
"""

OVERLAY = """\
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
  - ../../base
namePrefix: prod-
labels:
  - pairs:
      environment: prod
      team: shop
    includeTemplates: true
images:
  - name: registry.example.com/app
    newTag: "2.0.0"
"""

OBJECTS_VALUES_PROD = """\
namePrefix: prod-
labels:
  environment: prod
  team: shop
image:
  tag: "2.0.0"
"""


def app(i):
    return {"name": f"app-{i:04}", "replicas": 1 + i % 3, "port": 8000 + i % 100}


def objects_kustomize(root, objects):
    """base/ with objects/2 apps (a Deployment and a Service each, one file per app) and an
    overlay with a name prefix, labels and an images change."""
    shutil.rmtree(root, ignore_errors=True)
    apps = [app(i) for i in range(objects // 2)]
    files = []
    for a in apps:
        name = f"{a['name']}.yaml"
        write(os.path.join(root, "base", name), APP_BASE.format(**a))
        files.append(name)
    write(
        os.path.join(root, "base", "kustomization.yaml"),
        "resources:\n" + "".join(f"  - {f}\n" for f in files),
    )
    write(os.path.join(root, "overlays", "prod", "kustomization.yaml"), OVERLAY)
    return os.path.join(root, "overlays", "prod")


def objects_chart(root, objects):
    """The ktera chart rendering the same objects as objects_kustomize's overlay."""
    shutil.rmtree(root, ignore_errors=True)
    write(os.path.join(root, "Chart.yaml"), chart_yaml("apps"))
    lines = ["namePrefix: \"\"", "labels: {}", "image:",
             "  name: registry.example.com/app", "  tag: \"1.0.0\"", "apps:"]
    for i in range(objects // 2):
        a = app(i)
        lines.append(f"  - {{name: {a['name']}, replicas: {a['replicas']}, port: {a['port']}}}")
    write(os.path.join(root, "values.yaml"), "\n".join(lines) + "\n")
    write(os.path.join(root, "templates", "apps.yaml"), APPS_TERA)
    values = os.path.join(os.path.dirname(root), "objects-prod.yaml")
    write(values, OBJECTS_VALUES_PROD)
    return root, values


# --- ktera import: 3 overlays of 1,000 objects -------------------------------------------

IMPORT_OVERLAY = """\
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
  - ../../base
namePrefix: {env}-
labels:
  - pairs:
      environment: {env}
    includeTemplates: true
images:
  - name: registry.example.com/app
    newTag: "{tag}"
replicas:
{replicas}"""


def import_overlays(root, objects):
    """objects_kustomize's base with three overlays (dev, staging, prod): each its own name
    prefix, label, image tag and replica counts for a tenth of the apps. Returns
    [(env, overlay dir)]."""
    objects_kustomize(root, objects)
    out = []
    for n, env in enumerate(("dev", "staging", "prod")):
        replicas = "".join(
            f"  - name: app-{i:04}\n    count: {n + 2}\n" for i in range(0, objects // 2, 10)
        )
        write(
            os.path.join(root, "overlays", env, "kustomization.yaml"),
            IMPORT_OVERLAY.format(env=env, tag=f"2.{n}.0", replicas=replicas),
        )
        out.append((env, os.path.join(root, "overlays", env)))
    return out


# --- 20 environments x 10 releases --------------------------------------------------------


def env_values(env):
    """What one environment changes over the example's values/prod.yaml (read before it)."""
    return (
        "global:\n"
        f"  environment: {env}\n"
        "image:\n"
        f"  tag: \"1.4.{int(env[-2:])}\"\n"
        "replicaCount: 2\n"
        "ingress:\n"
        f"  host: backend.{env}.example.com\n"
        "config:\n"
        f"  SPRING_PROFILES_ACTIVE: {env}\n"
        f"  DB_HOST: db.{env}.example.com\n"
        "secrets:\n"
        f"  DB_PASSWORD: {env}-fake-password\n"
    )


def project(root, repo, envs, releases):
    """A ktera project of envs x releases of the example chart, and the shell loop of
    `helm template` calls that renders the same releases from the Go-template twin.
    Returns (project file, helm loop script)."""
    shutil.rmtree(root, ignore_errors=True)
    shutil.copytree(os.path.join(repo, "charts", "backend"), os.path.join(root, "charts", "backend"))
    write(os.path.join(root, "values", "prod.yaml"),
          open(os.path.join(repo, "values", "prod.yaml")).read())
    lines = ["output: rendered", "environments:"]
    loop = ["set -e"]
    for e in range(envs):
        env = f"env{e:02}"
        write(os.path.join(root, "values", f"{env}.yaml"), env_values(env))
        lines.append(f"  {env}:")
        lines.append("    releases:")
        loop.append(f"mkdir -p out/{env}")
        for r in range(releases):
            name = f"svc{r:02}"
            lines += [
                f"      - name: {name}",
                "        chart: charts/backend",
                f"        namespace: {env}",
                f"        values: [values/prod.yaml, values/{env}.yaml]",
                f"        set: [fullnameOverride={name}]",
            ]
            loop.append(
                f'"$HELM" template {name} helm-backend -n {env} -f values/prod.yaml '
                f"-f values/{env}.yaml --set fullnameOverride={name} > out/{env}/{name}.yaml"
            )
    write(os.path.join(root, "ktera.yaml"), "\n".join(lines) + "\n")
    helm_chart = os.path.join(repo, "scripts", "bench", "helm-backend")
    shutil.copytree(helm_chart, os.path.join(root, "helm-backend"))
    write(os.path.join(root, "helm-loop.sh"), "\n".join(loop) + "\n")
    return os.path.join(root, "ktera.yaml"), os.path.join(root, "helm-loop.sh")
