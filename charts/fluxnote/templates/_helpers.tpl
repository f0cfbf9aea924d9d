{{/*
Named templates shared by every manifest. Most take a service context,
dict "root" $ "name" <service> "svc" <its values>; each manifest file ranges over
.Values.services (in name order) and renders the enabled ones.
*/}}

{{/* Release-wide prefix: <release>-fluxnote, or the release name when it already says fluxnote. */}}
{{- define "fluxnote.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 50 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 50 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{/* Object name of one service: <fullname>-<service>. Takes (dict "root" $ "name" <service>). */}}
{{- define "fluxnote.serviceName" -}}
{{- printf "%s-%s" (include "fluxnote.fullname" .root) .name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "fluxnote.selectorLabels" -}}
app.kubernetes.io/name: fluxnote
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .name }}
{{- end -}}

{{- define "fluxnote.labels" -}}
{{ include "fluxnote.selectorLabels" . }}
app.kubernetes.io/part-of: fluxnote
app.kubernetes.io/version: {{ .root.Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .root.Chart.Name .root.Chart.Version }}
fluxnote.dev/environment: {{ .root.Values.global.environment }}
{{- end -}}

{{- define "fluxnote.image" -}}
{{- $image := .root.Values.global.image -}}
{{- printf "%s/%s:%s" $image.registry .name (default .root.Chart.AppVersion $image.tag) -}}
{{- end -}}

{{/* The service's ports: the global defaults with its own overrides; public services have no gRPC port. */}}
{{- define "fluxnote.ports" -}}
{{- $ports := merge (deepCopy (default dict .svc.ports)) .root.Values.global.ports -}}
{{- if .svc.public -}}
{{- $ports = omit $ports "grpc" -}}
{{- end -}}
{{- toJson $ports -}}
{{- end -}}

{{/* Fails the render when a service calls one that is unknown or switched off. */}}
{{- define "fluxnote.checkCalls" -}}
{{- range $callee, $kinds := .svc.calls -}}
{{- $target := index $.root.Values.services $callee -}}
{{- if not $target -}}
{{- fail (printf "services.%s.calls names %s, which is not a service of this chart" $.name $callee) -}}
{{- end -}}
{{- if not $target.enabled -}}
{{- fail (printf "services.%s calls %s, which is disabled (services.%s.enabled=false)" $.name $callee $callee) -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/*
The service's settings that are not secret, as a YAML map of strings: shared settings,
listen addresses, the addresses of the services it calls, telemetry, then its own settings.
*/}}
{{- define "fluxnote.settings" -}}
{{- include "fluxnote.checkCalls" . -}}
{{- $g := .root.Values.global -}}
{{- $ports := include "fluxnote.ports" . | fromJson -}}
{{- $s := dict
  "NODE_ENV" $g.nodeEnv
  "LOG_LEVEL" $g.logLevel
  "DATA_DIR" "/tmp/fluxnote"
  "GRPC_DEADLINE_MS" (toString $g.grpcDeadlineMs)
  "KAFKA_BROKERS" $g.kafka.brokers
  "KAFKA_CLIENT_ID" $g.kafka.clientId
  "KAFKA_SSL" (toString $g.kafka.ssl)
  "OTEL_RESOURCE_ATTRIBUTES" (printf "deployment.environment=%s,service.namespace=fluxnote" $g.environment)
  "OTEL_TRACES_SAMPLER" "parentbased_traceidratio"
  "OTEL_TRACES_SAMPLER_ARG" (toString $g.otel.samplerRatio)
  "SHUTDOWN_GRACE_MS" (toString (mul .svc.shutdownGraceSeconds 1000))
-}}
{{- if $g.kafka.sasl.mechanism -}}
{{- $_ := set $s "KAFKA_SASL_MECHANISM" $g.kafka.sasl.mechanism -}}
{{- end -}}
{{- if $g.otel.endpoint -}}
{{- $_ := set $s "OTEL_EXPORTER_OTLP_ENDPOINT" $g.otel.endpoint -}}
{{- end -}}
{{- if .svc.public -}}
{{- $_ := set $s "HOST" "0.0.0.0" -}}
{{- $_ := set $s "PORT" (toString $ports.http) -}}
{{- if hasKey $ports "metrics" -}}
{{- $_ := set $s "HTTP_HOST" "0.0.0.0" -}}
{{- $_ := set $s "HTTP_PORT" (toString $ports.metrics) -}}
{{- end -}}
{{- else -}}
{{- $_ := set $s "HTTP_HOST" "0.0.0.0" -}}
{{- $_ := set $s "HTTP_PORT" (toString $ports.http) -}}
{{- $_ := set $s "GRPC_HOST" "0.0.0.0" -}}
{{- $_ := set $s "GRPC_PORT" (toString $ports.grpc) -}}
{{- end -}}
{{- range $callee, $kinds := .svc.calls -}}
{{- $target := dict "root" $.root "name" $callee "svc" (index $.root.Values.services $callee) -}}
{{- $host := include "fluxnote.serviceName" $target -}}
{{- $targetPorts := include "fluxnote.ports" $target | fromJson -}}
{{- range $kind := $kinds -}}
{{- $key := printf "%s_%s_URL" (upper $callee) (upper $kind) -}}
{{- if eq $kind "grpc" -}}
{{- $_ := set $s $key (printf "%s:%v" $host (index $targetPorts "grpc")) -}}
{{- else -}}
{{- $_ := set $s $key (printf "http://%s:%v" $host (index $targetPorts "http")) -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- if .root.Values.migrations.enabled -}}
{{- /* the migration Job applies them as the schema's owner; the service's role can't */ -}}
{{- $_ := set $s "MIGRATIONS_AT_START" "false" -}}
{{- end -}}
{{- range $key, $value := .svc.settings -}}
{{- $_ := set $s $key (toString $value) -}}
{{- end -}}
{{- toYaml $s -}}
{{- end -}}

{{/* Environment read from the existing secrets (secretKeyRef entries). */}}
{{- define "fluxnote.secretEnv" -}}
{{- $secrets := .root.Values.secrets -}}
{{- $refs := list -}}
{{- range $kind := .svc.secrets -}}
{{- if and (eq $kind "database") $.migrate -}}
{{- $refs = append $refs (list "DATABASE_URL" (default $secrets.migrationDatabase.name $.svc.migrationDatabaseSecret) $secrets.migrationDatabase.key) -}}
{{- else if eq $kind "database" -}}
{{- $refs = append $refs (list "DATABASE_URL" (default $secrets.database.name $.svc.databaseSecret) $secrets.database.key) -}}
{{- else if eq $kind "inboundEmail" -}}
{{- $refs = append $refs (list "INBOUND_EMAIL_SECRET" $secrets.inboundEmail.name $secrets.inboundEmail.key) -}}
{{- else if eq $kind "jwt" -}}
{{- $refs = append $refs (list "JWT_PRIVATE_KEY" $secrets.jwt.name $secrets.jwt.key) -}}
{{- else if eq $kind "sealingPublicKey" -}}
{{- $refs = append $refs (list "NOTIFICATIONS_SEALING_PUBLIC_KEY" $secrets.sealing.name $secrets.sealing.publicKeyKey) -}}
{{- else if eq $kind "sealingPrivateKey" -}}
{{- $refs = append $refs (list "SEALING_PRIVATE_KEY" $secrets.sealing.name $secrets.sealing.privateKeyKey) -}}
{{- $refs = append $refs (list "SEALING_PREVIOUS_PRIVATE_KEY" $secrets.sealing.name $secrets.sealing.previousPrivateKeyKey "optional") -}}
{{- else if eq $kind "admin" -}}
{{- $refs = append $refs (list "ADMIN_EMAIL" $secrets.admin.name $secrets.admin.emailKey) -}}
{{- $refs = append $refs (list "ADMIN_PASSWORD" $secrets.admin.name $secrets.admin.passwordKey) -}}
{{- else if eq $kind "stripe" -}}
{{- $refs = append $refs (list "STRIPE_SECRET_KEY" $secrets.stripe.name $secrets.stripe.secretKeyKey) -}}
{{- $refs = append $refs (list "STRIPE_WEBHOOK_SECRET" $secrets.stripe.name $secrets.stripe.webhookSecretKey) -}}
{{- else if eq $kind "smtp" -}}
{{- $refs = append $refs (list "SMTP_URL" $secrets.smtp.name $secrets.smtp.key) -}}
{{- else if eq $kind "modelProvider" -}}
{{- $refs = append $refs (list "MODEL_PROVIDER_URL" $secrets.modelProvider.name $secrets.modelProvider.urlKey) -}}
{{- $refs = append $refs (list "MODEL_PROVIDER_API_KEY" $secrets.modelProvider.name $secrets.modelProvider.apiKeyKey) -}}
{{- $refs = append $refs (list "MODEL_PROVIDER_WEBHOOK_SECRET" $secrets.modelProvider.name $secrets.modelProvider.webhookSecretKey) -}}
{{- else if eq $kind "push" -}}
{{- $refs = append $refs (list "PUSH_URL" $secrets.push.name $secrets.push.urlKey) -}}
{{- $refs = append $refs (list "PUSH_API_KEY" $secrets.push.name $secrets.push.apiKeyKey) -}}
{{- end -}}
{{- end -}}
{{- if .root.Values.global.kafka.sasl.mechanism -}}
{{- $refs = append $refs (list "KAFKA_SASL_USERNAME" $secrets.kafka.name $secrets.kafka.usernameKey) -}}
{{- $refs = append $refs (list "KAFKA_SASL_PASSWORD" $secrets.kafka.name $secrets.kafka.passwordKey) -}}
{{- end -}}
{{- range $ref := $refs }}
- name: {{ index $ref 0 }}
  valueFrom:
    secretKeyRef:
      name: {{ index $ref 1 }}
      key: {{ index $ref 2 }}
      {{- if gt (len $ref) 3 }}
      optional: true
      {{- end }}
{{- end -}}
{{- end -}}

{{/* The pod spec parts a service Deployment and its migrations Job share. */}}
{{- define "fluxnote.podSecurity" -}}
securityContext:
  {{- toYaml .root.Values.global.podSecurityContext | nindent 2 }}
{{- with .root.Values.global.imagePullSecrets }}
imagePullSecrets:
  {{- toYaml . | nindent 2 }}
{{- end }}
volumes:
  - name: tmp
    emptyDir:
      sizeLimit: {{ .root.Values.global.tmpSizeLimit }}
{{- end -}}

{{- define "fluxnote.containerBase" -}}
image: {{ include "fluxnote.image" . }}
imagePullPolicy: {{ .root.Values.global.image.pullPolicy }}
securityContext:
  {{- toYaml .root.Values.global.containerSecurityContext | nindent 2 }}
volumeMounts:
  - name: tmp
    mountPath: /tmp
{{- end -}}

{{/* A pod's stop fits in its termination grace period: preStop, then the drain, then 5 s to close. */}}
{{- define "fluxnote.checkShutdown" -}}
{{- $needed := add .root.Values.global.preStopSeconds .svc.shutdownGraceSeconds 5 -}}
{{- if lt (int .svc.terminationGracePeriodSeconds) (int $needed) -}}
{{- fail (printf "services.%s.terminationGracePeriodSeconds (%v) must cover global.preStopSeconds + shutdownGraceSeconds + 5 s (%v)" .name .svc.terminationGracePeriodSeconds $needed) -}}
{{- end -}}
{{- end -}}
