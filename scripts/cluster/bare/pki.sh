# Certificates (openssl), the service-account key pair, and one kubeconfig per client of the bare
# cluster. Kept across up/down (they cost a few seconds and depend on nothing that changes);
# regenerated when the CA is missing. Sourced after lib.sh.

# issue NAME SUBJECT [SAN]: a key and a certificate signed by the cluster CA.
issue() {
  local name=$1 subject=$2 san=${3:-} ext
  [[ -s $PKI_DIR/$name.crt ]] && return 0
  ext=$PKI_DIR/$name.ext
  { echo "basicConstraints=critical,CA:FALSE"
    echo "keyUsage=critical,digitalSignature,keyEncipherment"
    if [[ -n $san ]]; then echo "extendedKeyUsage=serverAuth,clientAuth"; echo "subjectAltName=$san"
    else echo "extendedKeyUsage=clientAuth"; fi; } >"$ext"
  openssl genrsa -out "$PKI_DIR/$name.key" 2048 2>/dev/null
  openssl req -new -key "$PKI_DIR/$name.key" -subj "$subject" -out "$PKI_DIR/$name.csr" 2>/dev/null
  openssl x509 -req -in "$PKI_DIR/$name.csr" -CA "$PKI_DIR/ca.crt" -CAkey "$PKI_DIR/ca.key" \
    -CAcreateserial -days 3650 -extfile "$ext" -out "$PKI_DIR/$name.crt" 2>/dev/null
  rm -f "$PKI_DIR/$name.csr" "$ext"
}

# kubeconfig FILE CERTNAME: a kubeconfig that authenticates with PKI_DIR/CERTNAME.{crt,key}.
kubeconfig() {
  local file=$1 cert=$2
  cat >"$file" <<YAML
apiVersion: v1
kind: Config
clusters:
- name: netprobe
  cluster:
    server: $API_SERVER
    certificate-authority-data: $(base64 -w0 "$PKI_DIR/ca.crt")
users:
- name: $cert
  user:
    client-certificate-data: $(base64 -w0 "$PKI_DIR/$cert.crt")
    client-key-data: $(base64 -w0 "$PKI_DIR/$cert.key")
contexts:
- name: netprobe
  context: {cluster: netprobe, user: $cert}
current-context: netprobe
YAML
  chmod 600 "$file"
}

pki_up() {
  mkdir -p "$PKI_DIR"
  chmod 700 "$PKI_DIR"
  if [[ ! -s $PKI_DIR/ca.crt ]]; then
    rm -f "$PKI_DIR"/*
    openssl genrsa -out "$PKI_DIR/ca.key" 2048 2>/dev/null
    openssl req -x509 -new -key "$PKI_DIR/ca.key" -subj "/CN=netprobe-cluster-ca" -days 3650 \
      -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign,digitalSignature" \
      -out "$PKI_DIR/ca.crt" 2>/dev/null
  fi
  [[ -s $PKI_DIR/sa.key ]] || {
    openssl genrsa -out "$PKI_DIR/sa.key" 2048 2>/dev/null
    openssl rsa -in "$PKI_DIR/sa.key" -pubout -out "$PKI_DIR/sa.pub" 2>/dev/null
  }
  local d=kubernetes.default.svc
  issue apiserver "/CN=kube-apiserver" \
    "IP:$NODE_IP,IP:$API_SERVICE_IP,IP:127.0.0.1,DNS:kubernetes,DNS:kubernetes.default,DNS:$d,DNS:$d.$CLUSTER_DOMAIN,DNS:localhost"
  issue apiserver-kubelet-client "/O=system:masters/CN=kube-apiserver-kubelet-client"
  issue admin "/O=system:masters/CN=netprobe-admin"
  issue controller-manager "/CN=system:kube-controller-manager"
  issue scheduler "/CN=system:kube-scheduler"
  issue kubelet "/O=system:nodes/CN=system:node:$NODE_NAME"
  issue kube-proxy "/CN=system:kube-proxy"
  issue kube-router "/CN=netprobe:kube-router"
  kubeconfig "$KUBECONFIG_ADMIN" admin
  local c
  for c in controller-manager scheduler kubelet kube-proxy kube-router; do
    kubeconfig "$STATE_DIR/$c.kubeconfig" "$c"
  done
}
