# Writes the frames Net::EPP::Simple 0.22 sends, byte for byte (toString of
# the frame its builders produce, clTRID as request() sets it).
use strict;
use Net::EPP::Simple;
use Net::EPP::Protocol;
use Net::EPP::Frame;
use XML::LibXML;
use Digest::SHA qw(sha1_hex);

my $greeting = XML::LibXML->load_xml(string => '<?xml version="1.0" encoding="UTF-8"?><epp xmlns="urn:ietf:params:xml:ns:epp-1.0"><greeting><svID>OpenRegistrar sandbox</svID><svDate>2026-01-02T03:04:05Z</svDate><svcMenu><version>1.0</version><lang>en</lang><objURI>urn:ietf:params:xml:ns:domain-1.0</objURI><objURI>urn:ietf:params:xml:ns:contact-1.0</objURI><objURI>urn:ietf:params:xml:ns:host-1.0</objURI><svcExtension><extURI>urn:ietf:params:xml:ns:epp:fee-1.0</extURI></svcExtension></svcMenu><dcp><access><all/></access><statement><purpose><admin/><prov/></purpose><recipient><ours/></recipient><retention><stated/></retention></statement></dcp></greeting></epp>');
my $s = bless {user => 'registrar1', pass => 'secret-pw1', greeting => $greeting, debug => 0}, 'Net::EPP::Simple';
my $n = 0;
sub out {
	my ($name, $frame) = @_;
	$frame->clTRID->appendText(sha1_hex('Net::EPP::Simple'.(1767322800 + $n++).'4242')) if $frame->isa('Net::EPP::Frame::Command');
	open(my $fh, '>:raw', "netepp_$name.xml") or die; print $fh $frame->toString; close $fh;
}
out('hello', Net::EPP::Frame::Hello->new);
out('login', $s->_prepare_login_frame);
my $check = Net::EPP::Frame::Command::Check::Domain->new; $check->addDomain('example.com'); out('check_domain', $check);
my $info = Net::EPP::Frame::Command::Info::Domain->new; $info->setDomain('example.com');
{ my $el = $info->createElement('domain:authInfo'); my $pw = $info->createElement('domain:pw'); $pw->appendChild($info->createTextNode('2fooBAR')); $el->appendChild($pw); $info->getNode('urn:ietf:params:xml:ns:domain-1.0', 'info')->appendChild($el); }
out('info_domain', $info);
out('create_domain', $s->_prepare_create_domain_frame({name => 'example.com', period => 2, ns => ['ns1.example.net', 'ns2.example.net'], registrant => 'jd1234', contacts => {admin => 'sh8013'}, authInfo => '2fooBAR'}));
out('renew_domain', $s->_generate_renew_domain_frame({name => 'example.com', cur_exp_date => '2027-04-03', period => 1}));
out('update_domain', $s->_generate_update_domain_frame({name => 'example.com', add => {ns => ['ns3.example.net'], status => ['clientHold']}, rem => {status => ['clientUpdateProhibited']}, chg => {registrant => 'sh8013', authInfo => 'newAuth1'}}));
out('create_contact', $s->_prepare_create_contact_frame({id => 'sh8013', postalInfo => {int => {name => 'John Doe', org => 'Example Inc.', addr => {street => ['123 Example Dr.', 'Suite 100'], city => 'Dulles', sp => 'VA', pc => '20166-6503', cc => 'US'}}}, voice => '+1.7035555555', fax => '', email => 'jdoe@example.com', authInfo => '2fooBAR'}));
out('create_host', $s->_prepare_create_host_frame({name => 'ns1.example.com', addrs => [{ip => '192.0.2.2', version => 'v4'}, {ip => '2001:db8::1', version => 'v6'}]}));
my $ack = Net::EPP::Frame::Command::Poll::Ack->new; $ack->setMsgID('12345'); out('poll_ack', $ack);
out('poll_req', Net::EPP::Frame::Command::Poll::Req->new);
out('logout', Net::EPP::Frame::Command::Logout->new);
# One data unit on the wire, as Net::EPP::Protocol::prep_frame writes it.
open(my $fh, '>:raw', 'netepp_check_domain.frame') or die;
print $fh Net::EPP::Protocol->prep_frame($check->toString); close $fh;
