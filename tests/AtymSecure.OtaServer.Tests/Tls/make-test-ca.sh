#!/bin/sh
# Makes a throwaway test CA and a server certificate signed by it, for the OTA service's TLS tests:
#   make-test-ca.sh OUT_DIR
# writes OUT_DIR/ca.pem (trust this), OUT_DIR/server.pem (chain: server then CA) and OUT_DIR/server.key (PKCS#8).
# The server certificate names 127.0.0.1 and localhost (subjectAltName), is valid 2 days, ECDSA P-256.
set -eu
out=${1:?usage: make-test-ca.sh OUT_DIR}
mkdir -p "$out"
cd "$out"
openssl ecparam -name prime256v1 -genkey -noout -out ca.key.sec1 2>/dev/null
openssl pkcs8 -topk8 -nocrypt -in ca.key.sec1 -out ca.key
openssl req -x509 -new -key ca.key -sha256 -days 2 -subj "/CN=AtymSecure test CA" \
  -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" -out ca.pem
openssl ecparam -name prime256v1 -genkey -noout -out server.key.sec1 2>/dev/null
openssl pkcs8 -topk8 -nocrypt -in server.key.sec1 -out server.key
openssl req -new -key server.key -subj "/CN=localhost" -out server.csr
printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n' > server.ext
openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 -sha256 -extfile server.ext -out server.crt 2>/dev/null
cat server.crt ca.pem > server.pem
rm -f ca.key.sec1 server.key.sec1 server.csr server.ext ca.srl
chmod 600 ca.key server.key
