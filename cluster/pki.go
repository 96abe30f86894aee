package cluster

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"slices"
	"time"
)

// certificate validity; the lab is for runs, not for years.
const certValidity = 5 * 365 * 24 * time.Hour

// pki holds the paths of every credential file of one cluster. All files live
// in <data-dir>/pki with mode 0600 (keys) or 0644 (certificates).
type pki struct {
	dir string
}

func (p pki) path(name string) string { return filepath.Join(p.dir, name) }

func (p pki) caCert() string       { return p.path("ca.crt") }
func (p pki) caKey() string        { return p.path("ca.key") }
func (p pki) etcdCACert() string   { return p.path("etcd-ca.crt") }
func (p pki) etcdCAKey() string    { return p.path("etcd-ca.key") }
func (p pki) saKey() string        { return p.path("sa.key") }
func (p pki) saPub() string        { return p.path("sa.pub") }
func (p pki) cert(n string) string { return p.path(n + ".crt") }
func (p pki) key(n string) string  { return p.path(n + ".key") }

// ensure creates the cluster CA, etcd's own CA, the serving and client
// certificates and the service account key pair unless they exist, and
// re-issues a leaf that its CA did not sign (a data directory from before
// etcd had its own CA). It returns the cluster CA's fingerprint.
func (p pki) ensure() (string, error) {
	if err := os.MkdirAll(p.dir, 0o700); err != nil {
		return "", fmt.Errorf("create %s: %w", p.dir, err)
	}
	caCert, caKey, err := p.loadOrCreateCA(p.caCert(), p.caKey(), "perflab-ca")
	if err != nil {
		return "", err
	}
	etcdCA, etcdKey, err := p.loadOrCreateCA(p.etcdCACert(), p.etcdCAKey(), "perflab-etcd-ca")
	if err != nil {
		return "", err
	}
	serving := &x509.Certificate{
		Subject:     pkix.Name{CommonName: "perflab-serving"},
		DNSNames:    []string{"localhost", "kubernetes", "kubernetes.default", "kubernetes.default.svc", "kubernetes.default.svc.cluster.local"},
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback, net.IPv4(10, 96, 0, 1)},
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth},
	}
	if err := p.ensureLeaf("serving", serving, caCert, caKey); err != nil {
		return "", err
	}
	// etcd serves and peers with a certificate of its own CA, and trusts
	// only that CA's clients: the API server's etcd-client certificate.
	etcdServing := &x509.Certificate{
		Subject:     pkix.Name{CommonName: "perflab-etcd"},
		DNSNames:    []string{"localhost"},
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback},
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth},
	}
	if err := p.ensureLeaf("etcd-server", etcdServing, etcdCA, etcdKey); err != nil {
		return "", err
	}
	for _, id := range clientIdentities {
		ca, key := caCert, caKey
		if id.etcd {
			ca, key = etcdCA, etcdKey
		}
		tmpl := &x509.Certificate{
			Subject:     pkix.Name{CommonName: id.cn, Organization: id.groups},
			ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
		}
		if err := p.ensureLeaf(id.file, tmpl, ca, key); err != nil {
			return "", err
		}
	}
	if err := p.ensureServiceAccountKey(); err != nil {
		return "", err
	}
	sum := sha256.Sum256(caCert.Raw)
	return hex.EncodeToString(sum[:]), nil
}

func (p pki) loadOrCreateCA(certPath, keyPath, cn string) (*x509.Certificate, crypto.Signer, error) {
	if fileExists(certPath) {
		cert, err := readCert(certPath)
		if err != nil {
			return nil, nil, err
		}
		key, err := readKey(keyPath)
		if err != nil {
			return nil, nil, err
		}
		return cert, key, nil
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, fmt.Errorf("generate CA key: %w", err)
	}
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber:          randomSerial(),
		Subject:               pkix.Name{CommonName: cn},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(certValidity),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign | x509.KeyUsageDigitalSignature,
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		return nil, nil, fmt.Errorf("create CA certificate: %w", err)
	}
	if err := writeKey(keyPath, key); err != nil {
		return nil, nil, err
	}
	if err := writePEM(certPath, "CERTIFICATE", der, 0o644); err != nil {
		return nil, nil, err
	}
	cert, err := x509.ParseCertificate(der)
	return cert, key, err
}

func (p pki) ensureLeaf(name string, tmpl *x509.Certificate, ca *x509.Certificate, caKey crypto.Signer) error {
	if fileExists(p.key(name)) && signedBy(p.cert(name), ca) && sameSubject(p.cert(name), tmpl.Subject) {
		return nil
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return fmt.Errorf("generate %s key: %w", name, err)
	}
	now := time.Now()
	tmpl.SerialNumber = randomSerial()
	tmpl.NotBefore = now.Add(-time.Hour)
	tmpl.NotAfter = now.Add(certValidity)
	tmpl.KeyUsage = x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, key.Public(), caKey)
	if err != nil {
		return fmt.Errorf("sign %s certificate: %w", name, err)
	}
	if err := writeKey(p.key(name), key); err != nil {
		return err
	}
	return writePEM(p.cert(name), "CERTIFICATE", der, 0o644)
}

// signedBy reports whether the certificate at path exists and ca signed it.
func signedBy(path string, ca *x509.Certificate) bool {
	cert, err := readCert(path)
	return err == nil && cert.CheckSignatureFrom(ca) == nil
}

// sameSubject reports whether the certificate at path has the user and
// groups of subject (identities changed when the admin left system:masters).
func sameSubject(path string, subject pkix.Name) bool {
	cert, err := readCert(path)
	return err == nil && cert.Subject.CommonName == subject.CommonName && slices.Equal(cert.Subject.Organization, subject.Organization)
}

func (p pki) ensureServiceAccountKey() error {
	if fileExists(p.saKey()) && fileExists(p.saPub()) {
		return nil
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return fmt.Errorf("generate service account key: %w", err)
	}
	pub, err := x509.MarshalPKIXPublicKey(key.Public())
	if err != nil {
		return fmt.Errorf("encode service account public key: %w", err)
	}
	if err := writeKey(p.saKey(), key); err != nil {
		return err
	}
	return writePEM(p.saPub(), "PUBLIC KEY", pub, 0o644)
}

// caPEM returns the CA certificate in PEM form.
func (p pki) caPEM() ([]byte, error) { return os.ReadFile(p.caCert()) }

func randomSerial() *big.Int {
	n, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 126))
	if err != nil {
		// crypto/rand does not fail on Linux; a fixed serial would still be valid.
		return big.NewInt(time.Now().UnixNano())
	}
	return n
}

func writeKey(path string, key *ecdsa.PrivateKey) error {
	der, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		return fmt.Errorf("encode key %s: %w", path, err)
	}
	return writePEM(path, "EC PRIVATE KEY", der, 0o600)
}

func writePEM(path, typ string, der []byte, mode os.FileMode) error {
	var buf bytes.Buffer
	if err := pem.Encode(&buf, &pem.Block{Type: typ, Bytes: der}); err != nil {
		return err
	}
	return writeFileAtomic(path, buf.Bytes(), mode)
}

func readCert(path string) (*x509.Certificate, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	block, _ := pem.Decode(b)
	if block == nil || block.Type != "CERTIFICATE" {
		return nil, fmt.Errorf("%s: no PEM certificate", path)
	}
	return x509.ParseCertificate(block.Bytes)
}

func readKey(path string) (crypto.Signer, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	block, _ := pem.Decode(b)
	if block == nil {
		return nil, fmt.Errorf("%s: no PEM key", path)
	}
	if k, err := x509.ParseECPrivateKey(block.Bytes); err == nil {
		return k, nil
	}
	k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	s, ok := k.(crypto.Signer)
	if !ok {
		return nil, errors.New(path + ": key cannot sign")
	}
	return s, nil
}

func fileExists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// writeFileAtomic writes data to path with mode through a temporary file and
// a rename, so a reader never sees a half-written credential.
func writeFileAtomic(path string, data []byte, mode os.FileMode) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(mode); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}
