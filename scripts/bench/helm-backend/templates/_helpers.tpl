{{/* Go-template twin of charts/backend/templates/_helpers.tera, for benchmarks against helm.
     Part helpers take (dict "ctx" $ "part" "..." "component" "..."). */}}
{{- define "backend.fullname" -}}
{{- default (printf "%s-%s" .Release.Name .Chart.Name) .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "backend.namespace" -}}
{{- default .Release.Namespace .Values.global.namespace -}}
{{- end -}}

{{- define "backend.name" -}}
{{ include "backend.fullname" .ctx }}{{ if .part }}-{{ .part }}{{ end }}
{{- end -}}

{{- define "backend.selectorLabels" -}}
app: {{ include "backend.name" . }}
{{- end -}}

{{- define "backend.labels" -}}
{{ include "backend.selectorLabels" . }}
app.kubernetes.io/name: {{ include "backend.name" . }}
app.kubernetes.io/component: {{ .component | default .ctx.Values.component }}
app.kubernetes.io/part-of: {{ .ctx.Values.global.partOf }}
environment: {{ required "set `global.environment` (dev, prod, ...) in values/<env>.yaml" .ctx.Values.global.environment }}
{{- end -}}
