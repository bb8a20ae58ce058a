#!/usr/bin/perl
# netepp.pl drives the sandbox registry's EPP server with Net::EPP::Simple
# (Debian libnet-epp-perl), an EPP client independent of ours, and prints
# one JSON object per step on standard output for TestNetEPPSimple.
#
#   perl netepp.pl --port 700 --user ID --pass PW --ca ca.pem --cert client.pem --key client-key.pem \
#       --available free.example --taken taken-x.example --contact c-1 --domain new.example \
#       [--transfer xfer-x.example --transfer-auth CODE] \
#       [--glue ns1.new.example --glue-addr 192.0.2.1 --external ns1.sandbox.openregistrar.test --ds-digest HEX]
#
# It logs in (over TLS, verifying the server against --ca and presenting
# the client certificate), checks --available and --taken, creates the
# contact --contact, creates --domain with that contact as registrant,
# admin and tech, reads the domain back with domain info, requests the
# transfer of --transfer with --transfer-auth and queries it (when
# given), and logs out. With --glue it also works with host objects and
# DNSSEC (secDNS-1.1): checks and creates the glue host under --domain,
# delegates --domain to it and to --external, reads the host back, tries
# to delete it while linked, adds a DS record (SHA-256 digest --ds-digest)
# with a <secDNS:update> built on Net::EPP's update frame, reads the
# domain's name servers and secDNS:infData, removes all DS records, then
# the delegation, and deletes the host.
# Net::EPP::Simple sends a <hello> before every command.
use strict;
use warnings;
use Getopt::Long;
use JSON::PP;
use Net::EPP::Simple;
use Net::EPP::Frame::Command::Logout;
use Net::EPP::Frame::Command::Transfer::Domain;
use Net::EPP::Frame::Command::Update::Domain;
use Net::EPP::Frame::Command::Info::Domain;

my %o = (host => '127.0.0.1');
GetOptions(\%o, 'host=s', 'port=i', 'user=s', 'pass=s', 'ca=s', 'cert=s', 'key=s',
	'available=s', 'taken=s', 'contact=s', 'domain=s', 'transfer=s', 'transfer-auth=s',
	'glue=s', 'glue-addr=s', 'external=s', 'ds-digest=s') or die "bad arguments\n";
for my $k (qw(port user pass ca available taken contact domain)) {
	die "--$k is required\n" unless defined $o{$k};
}

my $json = JSON::PP->new->canonical;
$| = 1;
sub out { print $json->encode({@_}), "\n" }
sub code { defined $Net::EPP::Simple::Code ? $Net::EPP::Simple::Code + 0 : -1 }

my $DOMAIN  = 'urn:ietf:params:xml:ns:domain-1.0';
my $CONTACT = 'urn:ietf:params:xml:ns:contact-1.0';
my $HOST    = 'urn:ietf:params:xml:ns:host-1.0';
my $FEE     = 'urn:ietf:params:xml:ns:epp:fee-1.0';
my $SECDNS  = 'urn:ietf:params:xml:ns:secDNS-1.1';

my $epp = Net::EPP::Simple->new(
	host        => $o{host},
	port        => $o{port},
	user        => $o{user},
	pass        => $o{pass},
	verify      => 1,
	ca_file     => $o{ca},
	(defined $o{cert} ? (cert => $o{cert}, key => $o{key}) : ()),
	timeout     => 15,
	load_config => 0,
	objects     => [$DOMAIN, $CONTACT, $HOST],
	extensions  => [$FEE, $SECDNS],
);
if (!$epp) {
	out(step => 'login', code => code(), error => $Net::EPP::Simple::Error);
	exit 1;
}
my $svID = $epp->greeting->getElementsByTagNameNS('urn:ietf:params:xml:ns:epp-1.0', 'svID')->shift;
out(step => 'login', code => code(), svID => ($svID ? $svID->textContent : ''));

for my $name ($o{available}, $o{taken}) {
	my $avail = $epp->check_domain($name);
	out(step => 'check', name => $name, code => code(),
		avail => (defined $avail ? $avail + 0 : JSON::PP::null), error => $Net::EPP::Simple::Error);
}

$epp->create_contact({
	id         => $o{contact},
	postalInfo => {int => {
		name => 'Ada Lovelace',
		org  => 'Analytical Engines Ltd',
		addr => {street => ["12 St James's Square"], city => 'London', sp => 'London', pc => 'SW1Y 4JH', cc => 'GB'},
	}},
	voice    => '+44.2079460000',
	fax      => '',
	email    => 'ada@example.com',
	authInfo => 'contact-secret',
});
out(step => 'contact create', id => $o{contact}, code => code(), error => $Net::EPP::Simple::Error);

# create_domain returns only true or false: build the same frame and read
# the creData from the response.
my $frame = $epp->_prepare_create_domain_frame({
	name       => $o{domain},
	period     => 1,
	registrant => $o{contact},
	contacts   => {admin => $o{contact}, tech => $o{contact}},
	authInfo   => 'domain-secret',
});
my $resp = $epp->_request($frame);
if (!$resp) {
	out(step => 'domain create', code => code(), error => $Net::EPP::Simple::Error);
} else {
	my %r = (step => 'domain create', code => $epp->_get_response_code($resp) + 0);
	if (my $cre = $resp->getNode($DOMAIN, 'creData')) {
		for my $f (qw(name crDate exDate)) {
			my $el = $cre->getElementsByLocalName($f)->shift;
			$r{$f} = $el->textContent if $el;
		}
	}
	out(%r);
}

my $info = $epp->domain_info($o{domain});
if (!$info) {
	out(step => 'domain info', code => code(), error => $Net::EPP::Simple::Error);
} else {
	out(step => 'domain info', code => code(), name => $info->{name}, registrant => $info->{registrant},
		clID => $info->{clID}, exDate => $info->{exDate}, status => $info->{status},
		contacts => $info->{contacts}, authInfo => $info->{authInfo});
}

# Host objects and DNSSEC.
if (defined $o{glue}) {
	my $avail = $epp->check_host($o{glue});
	out(step => 'host check', name => $o{glue}, code => code(), avail => (defined $avail ? $avail + 0 : JSON::PP::null));
	$epp->create_host({name => $o{glue}, addrs => [{ip => $o{'glue-addr'}, version => 'v4'}]});
	out(step => 'host create', name => $o{glue}, code => code(), error => $Net::EPP::Simple::Error);
	$epp->update_domain({name => $o{domain}, add => {ns => [$o{glue}, $o{external}]}});
	out(step => 'ns add', code => code(), error => $Net::EPP::Simple::Error);
	my $hi = $epp->host_info($o{glue});
	out(step => 'host info', code => code(), name => ($hi ? $hi->{name} : ''),
		status => ($hi ? [sort @{$hi->{status}}] : []), addrs => ($hi ? $hi->{addrs} : []));
	$epp->delete_host($o{glue});
	out(step => 'host delete linked', code => code());

	# Net::EPP 0.22's own DNSSEC methods are broken: add the extension to
	# its update frame by hand, before the clTRID.
	my $secdns = sub {
		my ($build) = @_;
		my $f = Net::EPP::Frame::Command::Update::Domain->new;
		$f->setDomain($o{domain});
		my $ext = $f->createElement('extension');
		my $upd = $f->createElementNS($SECDNS, 'secDNS:update');
		$ext->appendChild($upd);
		$build->($f, $upd);
		$f->command->insertBefore($ext, $f->clTRID);
		my $r = $epp->_request($f);
		return $r ? $epp->_get_response_code($r) + 0 : code();
	};
	my $add = $secdns->(sub {
		my ($f, $upd) = @_;
		my $a = $upd->addNewChild($SECDNS, 'secDNS:add');
		my $ds = $a->addNewChild($SECDNS, 'secDNS:dsData');
		$ds->addNewChild($SECDNS, 'secDNS:keyTag')->appendText('2371');
		$ds->addNewChild($SECDNS, 'secDNS:alg')->appendText('13');
		$ds->addNewChild($SECDNS, 'secDNS:digestType')->appendText('2');
		$ds->addNewChild($SECDNS, 'secDNS:digest')->appendText($o{'ds-digest'});
	});
	out(step => 'secDNS add', code => $add);

	my $if = Net::EPP::Frame::Command::Info::Domain->new;
	$if->setDomain($o{domain});
	my $ir = $epp->_request($if);
	my (@ns, @ds);
	if ($ir) {
		push @ns, $_->textContent for $ir->getElementsByTagNameNS($DOMAIN, 'hostObj');
		for my $d ($ir->getElementsByTagNameNS($SECDNS, 'dsData')) {
			push @ds, {map { $_ => $d->getElementsByTagNameNS($SECDNS, $_)->shift->textContent } qw(keyTag alg digestType digest)};
		}
	}
	out(step => 'domain info dns', code => ($ir ? $epp->_get_response_code($ir) + 0 : code()), ns => [sort @ns], ds => \@ds);

	my $rem = $secdns->(sub {
		my ($f, $upd) = @_;
		my $r = $upd->addNewChild($SECDNS, 'secDNS:rem');
		$r->addNewChild($SECDNS, 'secDNS:all')->appendText('true');
	});
	out(step => 'secDNS rem all', code => $rem);
	$epp->update_domain({name => $o{domain}, rem => {ns => [$o{glue}]}});
	out(step => 'ns rem', code => code(), error => $Net::EPP::Simple::Error);
	$epp->delete_host($o{glue});
	out(step => 'host delete', code => code());
}

# A transfer request, then a query: Net::EPP's own transfer frame; the
# trnData is read from the response.
if (defined $o{transfer}) {
	for my $op (qw(request query)) {
		my $tf = Net::EPP::Frame::Command::Transfer::Domain->new;
		$tf->setOp($op);
		$tf->setDomain($o{transfer});
		if ($op eq 'request') {
			$tf->setPeriod(1);
			$tf->setAuthInfo($o{'transfer-auth'});
		}
		my $tr = $epp->_request($tf);
		if (!$tr) {
			out(step => "transfer $op", code => code(), error => $Net::EPP::Simple::Error);
			next;
		}
		my %r = (step => "transfer $op", code => $epp->_get_response_code($tr) + 0);
		if (my $trn = $tr->getNode($DOMAIN, 'trnData')) {
			for my $f (qw(name trStatus reID acID)) {
				my $el = $trn->getElementsByLocalName($f)->shift;
				$r{$f} = $el->textContent if $el;
			}
		}
		out(%r);
	}
}

# logout does not report the code: send the frame, then disconnect.
my $bye = $epp->request(Net::EPP::Frame::Command::Logout->new);
out(step => 'logout', code => ($bye ? $epp->_get_response_code($bye) + 0 : -1));
$epp->{authenticated} = 0;
$epp->logout;
