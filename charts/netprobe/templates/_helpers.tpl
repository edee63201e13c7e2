{{/* The release's base name: RELEASE-netprobe, or RELEASE alone when it already says netprobe. Room
     is left for the longest suffix (-suites) within Kubernetes' 63 characters. */}}
{{- define "netprobe.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 52 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 52 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "netprobe.selectorLabels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "netprobe.labels" -}}
{{ include "netprobe.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{- define "netprobe.serviceAccountName" -}}
{{- default (include "netprobe.fullname" .) .Values.serviceAccount.name -}}
{{- end -}}

{{- define "netprobe.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) -}}
{{- end -}}

{{/* The suites: inline ones (values) and the chart's suites/ files, by file name. */}}
{{- define "netprobe.suites" -}}
{{- $suites := dict -}}
{{- range $path, $_ := .Files.Glob "suites/*.{yaml,yml}" -}}
{{- $_ := set $suites (base $path) ($.Files.Get $path) -}}
{{- end -}}
{{- range $name, $text := .Values.suites -}}
{{- $_ := set $suites $name $text -}}
{{- end -}}
{{- if not $suites -}}
{{- fail "no suites: give them inline in the values (suites: {NAME.yaml: |...}) or as files under the chart's suites/ folder" -}}
{{- end -}}
{{- toYaml $suites -}}
{{- end -}}

{{/* netprobe's arguments: the command, the suites' folder, the registry, the user's own flags. */}}
{{- define "netprobe.args" -}}
{{- $args := list .command "/suites" -}}
{{- with .root.Values.imageRegistry }}{{ $args = concat $args (list "--image-registry" .) }}{{ end -}}
{{- toYaml (concat $args .extra .root.Values.args) -}}
{{- end -}}

{{/* The pod spec every mode runs: netprobe as a non-root user on a read-only root, no capabilities,
     the suites ConfigMap at /suites. Takes (dict "root" $ "command" "run" "extra" (list ...)). */}}
{{- define "netprobe.podSpec" -}}
{{- $root := .root -}}
serviceAccountName: {{ include "netprobe.serviceAccountName" $root }}
# netprobe talks to the API server with this token; the ServiceAccount itself mounts none
automountServiceAccountToken: true
enableServiceLinks: false
{{- with $root.Values.imagePullSecrets }}
imagePullSecrets: {{- toYaml . | nindent 2 }}
{{- end }}
securityContext:
  runAsNonRoot: true
  runAsUser: 65532
  runAsGroup: 65532
  seccompProfile: {type: RuntimeDefault}
containers:
  - name: netprobe
    image: {{ include "netprobe.image" $root }}
    imagePullPolicy: {{ $root.Values.image.pullPolicy }}
    args: {{- include "netprobe.args" . | nindent 6 }}
    env:
      - {name: NO_COLOR, value: "1"}
      {{- with $root.Values.env }}
      {{- toYaml . | nindent 6 }}
      {{- end }}
    {{- with .ports }}
    ports: {{- toYaml . | nindent 6 }}
    {{- end }}
    {{- with .probes }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
    securityContext:
      allowPrivilegeEscalation: false
      readOnlyRootFilesystem: true
      capabilities: {drop: [ALL]}
    resources: {{- toYaml $root.Values.resources | nindent 6 }}
    volumeMounts:
      - {name: suites, mountPath: /suites, readOnly: true}
      - {name: tmp, mountPath: /tmp}
volumes:
  - name: suites
    configMap: {name: {{ include "netprobe.fullname" $root }}-suites}
  - name: tmp
    emptyDir: {sizeLimit: 64Mi}
{{- with $root.Values.nodeSelector }}
nodeSelector: {{- toYaml . | nindent 2 }}
{{- end }}
{{- with $root.Values.tolerations }}
tolerations: {{- toYaml . | nindent 2 }}
{{- end }}
{{- with $root.Values.affinity }}
affinity: {{- toYaml . | nindent 2 }}
{{- end }}
{{- end -}}

{{/* The pod template's metadata: labels, and the suites' checksum so a change of suites rolls the pods. */}}
{{- define "netprobe.podMetadata" -}}
labels:
  {{- include "netprobe.selectorLabels" .root | nindent 2 }}
  app.kubernetes.io/component: {{ .component }}
  {{- with .root.Values.podLabels }}
  {{- toYaml . | nindent 2 }}
  {{- end }}
annotations:
  checksum/suites: {{ include "netprobe.suites" .root | sha256sum }}
  {{- with .root.Values.podAnnotations }}
  {{- toYaml . | nindent 2 }}
  {{- end }}
{{- end -}}
