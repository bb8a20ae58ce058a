# Frames built with the low-level Net::EPP::Frame classes (not
# Net::EPP::Simple): their element order and empty <clTRID/> are not
# schema-valid, but servers see them in the wild.
use strict;
use Net::EPP::Frame;
my $d = Net::EPP::Frame::Command::Create::Domain->new;
$d->setDomain('example.com'); $d->setPeriod(2); $d->setRegistrant('jd1234'); $d->setAuthInfo('2fooBAR');
$d->setContacts({admin => 'sh8013'});
$d->setNS('ns1.example.net', 'ns2.example.net');
$d->clTRID->appendText('ABC-12345');
open(my $fh, '>:raw', 'netepp_frame_create_unordered.xml') or die; print $fh $d->toString; close $fh;
my $p = Net::EPP::Frame::Command::Poll::Ack->new; $p->setMsgID('12345');
open($fh, '>:raw', 'netepp_frame_poll_ack_empty_cltrid.xml') or die; print $fh $p->toString; close $fh;
