"""A SAML 2 identity provider for the tests, served over HTTP on 127.0.0.1.

It does what a Shibboleth IdP does for one log-in: it takes an AuthnRequest through the
HTTP-Redirect binding, checks the request's signature with the service provider's
certificate, and answers with an HTML form that posts a Response to the service provider's
assertion consumer (HTTP-POST binding), whose Assertion it signs with its own key through
signxml, another XML signature implementation than the platform's (xmlsec).

A test says who logs in and may spoil the answer on purpose: an expired assertion, another
audience, an attribute changed after signing.
"""

from __future__ import annotations

import base64
import datetime as dt
import threading
import uuid
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import unquote, urlsplit

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import NameOID
from lxml import etree
from signxml import XMLSigner  # type: ignore[import-untyped]

SAMLP = "urn:oasis:names:tc:SAML:2.0:protocol"
SAML = "urn:oasis:names:tc:SAML:2.0:assertion"
DS = "http://www.w3.org/2000/09/xmldsig#"
RSA_SHA256 = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"
URI = "urn:oasis:names:tc:SAML:2.0:attrname-format:uri"


@dataclass(frozen=True)
class KeyPair:
    key_pem: str
    certificate_pem: str

    @property
    def certificate(self) -> x509.Certificate:
        return x509.load_pem_x509_certificate(self.certificate_pem.encode())


def key_pair(name: str) -> KeyPair:
    """A fresh RSA key and its self-signed certificate, as SAML parties exchange them."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = dt.datetime.now(dt.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=365))
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    return KeyPair(key_pem, certificate.public_bytes(serialization.Encoding.PEM).decode())


@dataclass
class Person:
    """Who logs in at the identity provider, with the attributes it releases."""

    uid: str
    attributes: dict[str, list[str]]


@dataclass
class Spoil:
    """What the next answer gets wrong on purpose."""

    audience: str | None = None
    lifetime: dt.timedelta = dt.timedelta(minutes=5)
    issued_ago: dt.timedelta = dt.timedelta(0)
    tamper: bool = False
    unsigned: bool = False


@dataclass
class IdentityProvider:
    keys: KeyPair
    sp_certificate: x509.Certificate
    entity_id: str = ""
    sso_url: str = ""
    person: Person | None = None
    spoil: Spoil = field(default_factory=Spoil)
    requests: list[etree._Element] = field(default_factory=list)

    def answer(self, query: str) -> tuple[int, str]:
        """The answer to an AuthnRequest sent through the HTTP-Redirect binding."""
        parameters = _raw_parameters(query)
        if not self.request_signature_holds(parameters):
            return 400, "AuthnRequest signature invalid"
        request = etree.fromstring(
            zlib.decompress(base64.b64decode(unquote(parameters["SAMLRequest"])), -15)
        )
        self.requests.append(request)
        if self.person is None:
            return 403, "nobody logs in"
        response = self.response(request)
        relay_state = unquote(parameters.get("RelayState", ""))
        acs = request.get("AssertionConsumerServiceURL")
        form = (
            f'<html><body><form method="post" action="{acs}">'
            f'<input type="hidden" name="SAMLResponse" value="{response}">'
            f'<input type="hidden" name="RelayState" value="{relay_state}">'
            "<button>Continue</button></form></body></html>"
        )
        return 200, form

    def request_signature_holds(self, parameters: dict[str, str]) -> bool:
        # The signature covers the parameters as they were encoded in the query string.
        if parameters.get("SigAlg") is None or unquote(parameters["SigAlg"]) != RSA_SHA256:
            return False
        names = ("SAMLRequest", "RelayState", "SigAlg")
        signed = "&".join(f"{name}={parameters[name]}" for name in names if name in parameters)
        public_key = self.sp_certificate.public_key()
        assert isinstance(public_key, rsa.RSAPublicKey)
        try:
            public_key.verify(
                base64.b64decode(unquote(parameters["Signature"])),
                signed.encode(),
                padding.PKCS1v15(),
                hashes.SHA256(),
            )
        except Exception:
            return False
        return True

    def response(self, request: etree._Element) -> str:
        assert self.person is not None
        spoil = self.spoil
        now = dt.datetime.now(dt.UTC).replace(microsecond=0) - spoil.issued_ago
        stamp = _stamp(now)
        until = _stamp(now + spoil.lifetime)
        acs = request.get("AssertionConsumerServiceURL")
        audience = spoil.audience or _issuer(request)
        in_response_to = request.get("ID")
        assertion_id = f"_{uuid.uuid4().hex}"
        response = etree.Element(
            f"{{{SAMLP}}}Response",
            nsmap={"samlp": SAMLP, "saml": SAML},
            ID=f"_{uuid.uuid4().hex}",
            Version="2.0",
            IssueInstant=stamp,
            Destination=acs,
            InResponseTo=in_response_to,
        )
        etree.SubElement(response, f"{{{SAML}}}Issuer").text = self.entity_id
        status = etree.SubElement(response, f"{{{SAMLP}}}Status")
        etree.SubElement(
            status, f"{{{SAMLP}}}StatusCode", Value="urn:oasis:names:tc:SAML:2.0:status:Success"
        )
        assertion = etree.SubElement(
            response, f"{{{SAML}}}Assertion", ID=assertion_id, Version="2.0", IssueInstant=stamp
        )
        etree.SubElement(assertion, f"{{{SAML}}}Issuer").text = self.entity_id
        # Where signxml puts the signature: after the Issuer, as SAML's schema orders it.
        etree.SubElement(assertion, f"{{{DS}}}Signature", Id="placeholder", nsmap={"ds": DS})
        subject = etree.SubElement(assertion, f"{{{SAML}}}Subject")
        etree.SubElement(
            subject,
            f"{{{SAML}}}NameID",
            Format="urn:oasis:names:tc:SAML:2.0:nameid-format:transient",
        ).text = f"_{uuid.uuid4().hex}"
        confirmation = etree.SubElement(
            subject,
            f"{{{SAML}}}SubjectConfirmation",
            Method="urn:oasis:names:tc:SAML:2.0:cm:bearer",
        )
        etree.SubElement(
            confirmation,
            f"{{{SAML}}}SubjectConfirmationData",
            NotOnOrAfter=until,
            Recipient=acs,
            InResponseTo=in_response_to,
        )
        conditions = etree.SubElement(
            assertion, f"{{{SAML}}}Conditions", NotBefore=stamp, NotOnOrAfter=until
        )
        restriction = etree.SubElement(conditions, f"{{{SAML}}}AudienceRestriction")
        etree.SubElement(restriction, f"{{{SAML}}}Audience").text = audience
        statement = etree.SubElement(
            assertion, f"{{{SAML}}}AuthnStatement", AuthnInstant=stamp, SessionIndex=assertion_id
        )
        context = etree.SubElement(statement, f"{{{SAML}}}AuthnContext")
        etree.SubElement(
            context, f"{{{SAML}}}AuthnContextClassRef"
        ).text = "urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport"
        attributes = etree.SubElement(assertion, f"{{{SAML}}}AttributeStatement")
        released = {"urn:oasis:names:tc:SAML:attribute:subject-id": [self.person.uid]}
        released.update(self.person.attributes)
        for name, values in released.items():
            attribute = etree.SubElement(
                attributes, f"{{{SAML}}}Attribute", Name=name, NameFormat=URI
            )
            for value in values:
                etree.SubElement(attribute, f"{{{SAML}}}AttributeValue").text = value
        if spoil.unsigned:
            assertion.remove(assertion.find(f"{{{DS}}}Signature"))
        else:
            signed = XMLSigner(
                signature_algorithm="rsa-sha256",
                digest_algorithm="sha256",
                c14n_algorithm="http://www.w3.org/2001/10/xml-exc-c14n#",
            ).sign(
                assertion,
                key=self.keys.key_pem.encode(),
                cert=self.keys.certificate_pem,
                reference_uri=assertion_id,
                id_attribute="ID",
            )
            response.replace(assertion, signed)
            assertion = signed
        if spoil.tamper:
            # Once signed, someone on the way gives themselves another value.
            value = assertion.find(f".//{{{SAML}}}AttributeValue[last()]")
            assert value is not None
            value.text = "urn:mace:example.org:tampered"
        return base64.b64encode(etree.tostring(response)).decode()


def _raw_parameters(query: str) -> dict[str, str]:
    # Kept percent-encoded: the request's signature covers the encoded form.
    parameters = {}
    for pair in query.split("&"):
        name, _, value = pair.partition("=")
        parameters[name] = value
    return parameters


def _issuer(request: etree._Element) -> str:
    issuer = request.find(f"{{{SAML}}}Issuer")
    assert issuer is not None
    assert issuer.text
    return issuer.text


def _stamp(moment: dt.datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def do_GET(self) -> None:
        url = urlsplit(self.path)
        if url.path != "/sso":
            self.send_error(404)
            return
        status, body = self.server.identity_provider.answer(url.query)
        payload = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, format: str, *args: object) -> None:
        return


class _Server(ThreadingHTTPServer):
    identity_provider: IdentityProvider


def serve(identity_provider: IdentityProvider) -> Iterator[IdentityProvider]:
    """Serve `identity_provider` on 127.0.0.1 and a free port until the generator is closed."""
    server = _Server(("127.0.0.1", 0), _Handler)
    server.identity_provider = identity_provider
    host, port = server.server_address[:2]
    identity_provider.sso_url = f"http://{host!s}:{port}/sso"
    identity_provider.entity_id = f"http://{host!s}:{port}/idp/shibboleth"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield identity_provider
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
