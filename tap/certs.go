package tap

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"time"
)

// credentials are the tap's own TLS material, made fresh for each Tap and
// never written except inside the kubeconfig it writes: a CA, a serving
// certificate for the loopback addresses and one client certificate, the
// only one the tap accepts.
type credentials struct {
	caPEM             []byte
	serving           tls.Certificate
	clientPEM, keyPEM []byte
	clientPool        *x509.CertPool
}

const certValidity = 7 * 24 * time.Hour

func newCredentials() (*credentials, error) {
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("tap CA key: %w", err)
	}
	caTmpl := template(pkix.Name{CommonName: "perflab-tap-ca"})
	caTmpl.IsCA, caTmpl.BasicConstraintsValid = true, true
	caTmpl.KeyUsage = x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, caKey.Public(), caKey)
	if err != nil {
		return nil, fmt.Errorf("tap CA certificate: %w", err)
	}
	ca, err := x509.ParseCertificate(caDER)
	if err != nil {
		return nil, err
	}
	srvTmpl := template(pkix.Name{CommonName: "perflab-tap"})
	srvTmpl.IPAddresses = []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback}
	srvTmpl.DNSNames = []string{"localhost"}
	srvTmpl.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}
	srvCert, srvKey, err := leaf(srvTmpl, ca, caKey)
	if err != nil {
		return nil, err
	}
	serving, err := tls.X509KeyPair(srvCert, srvKey)
	if err != nil {
		return nil, err
	}
	cliTmpl := template(pkix.Name{CommonName: "perflab-tap-client"})
	cliTmpl.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}
	cliCert, cliKey, err := leaf(cliTmpl, ca, caKey)
	if err != nil {
		return nil, err
	}
	pool := x509.NewCertPool()
	pool.AddCert(ca)
	return &credentials{
		caPEM:      pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER}),
		serving:    serving,
		clientPEM:  cliCert,
		keyPEM:     cliKey,
		clientPool: pool,
	}, nil
}

func template(subject pkix.Name) *x509.Certificate {
	serial, _ := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 126))
	now := time.Now()
	return &x509.Certificate{
		SerialNumber: serial,
		Subject:      subject,
		NotBefore:    now.Add(-time.Hour),
		NotAfter:     now.Add(certValidity),
		KeyUsage:     x509.KeyUsageDigitalSignature,
	}
}

// leaf signs tmpl with the CA and returns the certificate and key as PEM.
func leaf(tmpl, ca *x509.Certificate, caKey *ecdsa.PrivateKey) (certPEM, keyPEM []byte, err error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, fmt.Errorf("tap key: %w", err)
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, key.Public(), caKey)
	if err != nil {
		return nil, nil, fmt.Errorf("sign %s: %w", tmpl.Subject.CommonName, err)
	}
	kder, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		return nil, nil, err
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kder}), nil
}

// serverTLS requires the tap's client certificate.
func (c *credentials) serverTLS() *tls.Config {
	return &tls.Config{
		Certificates: []tls.Certificate{c.serving},
		ClientAuth:   tls.RequireAndVerifyClientCert,
		ClientCAs:    c.clientPool,
		MinVersion:   tls.VersionTLS12,
		NextProtos:   []string{"h2", "http/1.1"},
	}
}
