"""Mail: the mail store (Dovecot) on the storage array, Postfix in front, an IMAP proxy at the edge."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pulumi
import pulumi_docker as docker

from infra.access import AccessNetwork
from infra.backup_vault import EXPORT_PORT, BackupLinks
from infra.config import TLS_SERVERS, MailSpec
from infra.haproxy import Backend, render_tcp_proxy_config
from infra.health import WAIT_TIMEOUT_S, healthcheck
from infra.intranet import BALANCER_CHECK
from infra.labels import Placement
from infra.listen import LOOPBACK, attach, listen_env, listen_name
from infra.mail_passwords import mailboxes, passdb
from infra.rooms import MachineRoom
from infra.san_links import IMAP, LMTP, StorageReach
from infra.secret_files import pick, secret_uploads
from infra.topology import ContainerInfo, Endpoint, ServiceInfo
from infra.volumes import data_volume

SERVICE = "mail"
SMTP_PORT = 25
IMAP_PORT = 143
LMTP_PORT = 24
PROXY_PORT = 1143


def mail_vault_host(prefix: str, room: str) -> str:
    """The name of the vault's copy of the mailboxes in room (its export's host on the restore link)."""
    return f"{prefix}-mail-vault-{room}"


def mailstore_host(prefix: str, room: str) -> str:
    """The name of the mail store in room."""
    return f"{prefix}-mailstore-{room}"


def mail_front_host(prefix: str, room: str) -> str:
    """The name of the mail front end (Postfix) in room."""
    return f"{prefix}-mail-front-{room}"


@dataclass(frozen=True)
class MailArgs:
    """Where the store and the front stand, how users reach mail, images and secrets."""

    spec: MailSpec
    store_room: MachineRoom
    reach: StorageReach  # where the front and the proxy reach the store: its SAN, or that SAN stretched
    front_room: MachineRoom
    vault_room: MachineRoom
    links: BackupLinks
    access: AccessNetwork
    store_image: str
    front_image: str
    proxy_image: str
    secrets: Mapping[str, pulumi.Output[str]]
    password_key: pulumi.Output[str]  # each mailbox's password derives from it; stores get hashes only
    stack: str
    prefix: str
    restore: bool = False


class Mail(pulumi.ComponentResource):
    """SMTP accepts and queues whatever happens to the store; IMAP needs the store.

    The Postfix queue is on the front end's own volume, a different storage
    domain from the mail store's volume on the array. Every message is also
    delivered to the vault's copy of its mailbox, and leaves the queue only
    once both copies are written: an accepted message is always in a room
    that survives the loss of the array.
    """

    TYPE = "hospital:services:Mail"

    @staticmethod
    def store_resources(room: str) -> list[tuple[str, str]]:
        """(type chain, name) of the mail store in room and its volume: what a targeted run deploys."""
        return [
            (f"{Mail.TYPE}$docker:index/volume:Volume", f"mailstore-data-{room}"),
            (f"{Mail.TYPE}$docker:index/container:Container", f"mailstore-{room}"),
        ]

    def __init__(self, name: str, args: MailArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(self.TYPE, name, None, opts)
        self.args = args
        self.store_host = mailstore_host(args.prefix, args.store_room.spec.name)
        self.front_host = mail_front_host(args.prefix, args.front_room.spec.name)
        self.proxy_host = f"{args.prefix}-imap-proxy-{args.front_room.spec.name}"
        self.copy_host = mail_vault_host(args.prefix, args.vault_room.spec.name)
        self.store = self._store()
        self.copy = self._copy()
        self.front = self._front()
        self.proxy = self._proxy()
        self.register_outputs(
            {
                "store": self.store.name,
                "copy": self.copy.name,
                "front": self.front.name,
                "proxy": self.proxy.name,
            }
        )

    def _env(self, domain: str = "") -> list[str]:
        return [f"MAILBOXES={self.args.spec.mailboxes}", f"MAIL_DOMAIN={domain or self.args.spec.domain}"]

    def _in(self, room: MachineRoom) -> pulumi.ResourceOptions:
        """Options of a child resource deployed in room."""
        return pulumi.ResourceOptions(parent=self, provider=room.provider)

    def _store(self) -> docker.Container:
        """The mail store: LMTP on its SAN's LMTP part, IMAP on its IMAP part; on the mail restore
        link to fetch from the vault's copy, which a store re-created by the recovery plan starts from."""
        args, room, host = self.args, self.args.store_room, self.store_host
        # Each part of its SAN, and that part stretched to another room's servers when one uses it.
        lmtp_link, imap_link = args.reach.link(LMTP), args.reach.link(IMAP)
        lmtp = [listen_name("lmtp", host), *([listen_name("lmtp-link", host)] if lmtp_link else [])]
        imap = [listen_name("imap", host), *([listen_name("imap-link", host)] if imap_link else [])]
        env = [*self._env(), listen_env("LMTP_LISTEN", *lmtp), listen_env("IMAP_LISTEN", *imap)]
        if args.restore:
            env += [
                f"RESTORE_FROM=https://{self.copy_host}:{EXPORT_PORT}",
                f"RESTORE_DOMAIN={self.copy_domain}",
            ]
        networks = [
            attach(room.lmtp_san, host, "lmtp"),
            attach(room.imap_san, host, "imap"),
            attach(args.links.mail_restore, host),
            *([attach(lmtp_link, host, "lmtp-link")] if lmtp_link else []),
            *([attach(imap_link, host, "imap-link")] if imap_link else []),
        ]
        secrets = pick(self.args.secrets, "mail_copy_token", "tls_ca_cert", *TLS_SERVERS["mailstore"])
        env.append("TLS_SERVER=mailstore")
        return self._dovecot("mailstore", host, room, "storage", networks, env, args.spec.domain, secrets)

    @property
    def copy_domain(self) -> str:
        """The domain of the vault's copy: its mailboxes are those of the real domain."""
        return f"vault.{self.args.spec.domain}"

    def _copy(self) -> docker.Container:
        """The vault's copy of every mailbox: the same mail store, on the backup link in the vault's room."""
        args, host = self.args, self.copy_host
        env = [
            *self._env(self.copy_domain),
            f"EXPORT_PORT={EXPORT_PORT}",
            listen_env("LMTP_LISTEN", listen_name("lmtp", host)),
            listen_env("IMAP_LISTEN", LOOPBACK),  # nobody reads the copy over IMAP
            listen_env("EXPORT_LISTEN", listen_name("export", host)),
        ]
        networks = [
            attach(args.links.mail_copy, host, "lmtp"),
            attach(args.links.mail_restore, host, "export"),
        ]
        secrets = pick(
            self.args.secrets, "mail_copy_token", *TLS_SERVERS["mail_vault"]
        )  # serves, fetches nothing
        env.append("TLS_SERVER=mail_vault")
        return self._dovecot(
            "mail-vault", host, args.vault_room, "backup", networks, env, self.copy_domain, secrets
        )

    def _dovecot(
        self,
        what: str,
        host: str,
        room: MachineRoom,
        tier: str,
        networks: list[docker.ContainerNetworksAdvancedArgs],
        env: list[str],
        domain: str,
        secrets: Mapping[str, pulumi.Output[str]],
    ) -> docker.Container:
        """A Dovecot of the mail service with secrets; its passdb holds a hash per mailbox of domain, no
        password."""
        args = self.args
        hashes = args.password_key.apply(lambda key: passdb(key, mailboxes(domain, args.spec.mailboxes)))
        secrets = {**secrets, "mail_passdb": pulumi.Output.secret(hashes)}
        placement = Placement(args.stack, room.spec.name, tier, SERVICE)
        opts = self._in(room)
        volume = data_volume(f"{what}-data", args.prefix, placement, opts)
        return docker.Container(
            f"{what}-{room.spec.name}",
            name=host,
            image=args.store_image,
            envs=env,
            labels=placement.container_labels(),
            networks_advanced=networks,
            volumes=[docker.ContainerVolumeArgs(volume_name=volume.name, container_path="/var/mail")],
            uploads=secret_uploads(secrets),
            healthcheck=healthcheck("doveadm", "service", "status", "imap-login"),
            restart="unless-stopped",
            wait=True,
            wait_timeout=WAIT_TIMEOUT_S,
            opts=opts,
        )

    def _front(self) -> docker.Container:
        args, room = self.args, self.args.front_room
        placement = Placement(args.stack, room.spec.name, "app", SERVICE)
        queue = data_volume("mail-queue", args.prefix, placement, self._in(room))
        return docker.Container(
            f"mail-front-{room.spec.name}",
            name=self.front_host,
            image=args.front_image,
            envs=[
                *self._env(),
                f"MAILSTORE_HOST={self.store_host}",
                f"MAIL_VAULT_HOST={self.copy_host}",
                listen_env("LISTEN", *args.access.listen(room, self.front_host)),
            ],
            labels=placement.container_labels(),
            networks_advanced=[
                *args.access.attach(room, self.front_host),
                attach(room.network, self.front_host),
                attach(args.reach.network(LMTP, room.spec.name), self.front_host),
                attach(args.links.mail_copy, self.front_host),
            ],
            ports=[
                docker.ContainerPortArgs(
                    internal=SMTP_PORT, external=args.spec.smtp_port, ip=room.spec.publish_ip
                )
            ],
            volumes=[docker.ContainerVolumeArgs(volume_name=queue.name, container_path="/var/spool/postfix")],
            uploads=secret_uploads(pick(self.args.secrets, "tls_ca_cert", *TLS_SERVERS["mail_front"])),
            # Postfix, and the before-queue filter that copies each message to the vault.
            healthcheck=healthcheck(
                "bash", "-c", "postfix status && python3 -m services.mail_front.mail_copy --check"
            ),
            restart="unless-stopped",
            wait=True,
            wait_timeout=WAIT_TIMEOUT_S,
            opts=pulumi.ResourceOptions(
                parent=self, provider=room.provider, depends_on=[self.store, self.copy]
            ),
        )

    def _proxy(self) -> docker.Container:
        args, room = self.args, self.args.front_room
        listen = " ".join(args.access.listen(room, self.proxy_host))
        config = render_tcp_proxy_config(
            "imap", PROXY_PORT, Backend("mailstore", self.store_host, IMAP_PORT), listen=listen
        )
        return docker.Container(
            f"imap-proxy-{room.spec.name}",
            name=self.proxy_host,
            image=args.proxy_image,
            labels=Placement(args.stack, room.spec.name, "edge", SERVICE).container_labels(),
            networks_advanced=[
                *args.access.attach(room, self.proxy_host),
                attach(args.reach.network(IMAP, room.spec.name), self.proxy_host),
            ],
            ports=[
                docker.ContainerPortArgs(
                    internal=PROXY_PORT, external=args.spec.imap_port, ip=room.spec.publish_ip
                )
            ],
            uploads=[docker.ContainerUploadArgs(file="/etc/haproxy/haproxy.cfg", content=config)],
            healthcheck=healthcheck("bash", "-c", BALANCER_CHECK, start_period="20s"),
            restart="unless-stopped",
            wait=True,
            wait_timeout=WAIT_TIMEOUT_S,
            opts=pulumi.ResourceOptions(parent=self, provider=room.provider, depends_on=[self.store]),
        )

    def info(self) -> ServiceInfo:
        """This service as the topology describes it."""
        spec = self.args.spec
        containers = (
            ContainerInfo(self.store_host, self.args.store_room.spec.name, "storage", SERVICE),
            ContainerInfo(self.copy_host, self.args.vault_room.spec.name, "backup", SERVICE),
            ContainerInfo(self.front_host, self.args.front_room.spec.name, "app", SERVICE),
            ContainerInfo(self.proxy_host, self.args.front_room.spec.name, "edge", SERVICE),
        )
        ip = self.args.front_room.spec.publish_ip
        endpoints = (
            Endpoint("smtp", f"smtp://{ip}:{spec.smtp_port}"),
            Endpoint("imap", f"imap://{ip}:{spec.imap_port}"),
        )
        return ServiceInfo(SERVICE, containers, endpoints)
