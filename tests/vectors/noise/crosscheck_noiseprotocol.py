# Replays every vector in this folder with an independent Noise implementation
# (PyPI noiseprotocol 0.3.1: pip install noiseprotocol==0.3.1) and checks every
# handshake message, the handshake hash, the certificate payload and the transport bytes.
# Optional; not run by CI. Usage: python3 tests/vectors/noise/crosscheck_noiseprotocol.py
import glob, os, warnings
warnings.simplefilter('ignore')
from noise.connection import NoiseConnection, Keypair
for path in sorted(glob.glob(os.path.join(os.path.dirname(os.path.abspath(__file__)), '*.txt'))):
    v = {}
    for line in open(path):
        if line.startswith('#') or ' = ' not in line: continue
        k, val = line.rstrip('\n').split(' = ', 1)
        v[k] = val
    b = lambda k: bytes.fromhex(v[k])
    name = v['protocol_name'].encode()
    def mk(init):
        c = NoiseConnection.from_name(name)
        if init: c.set_as_initiator()
        else:
            c.set_as_responder()
            c.set_keypair_from_private_bytes(Keypair.STATIC, b('server_static_secret'))
        c.set_prologue(b('prologue'))
        c.set_keypair_from_private_bytes(Keypair.EPHEMERAL, b('initiator_ephemeral_secret' if init else 'responder_ephemeral_secret'))
        c.start_handshake()
        return c
    i, r = mk(True), mk(False)
    m1 = i.write_message()
    assert m1 == b('m1_initiator_e')[2:], 'm1'
    r.read_message(m1)
    m2 = r.write_message(b('signature_noise_message'))
    assert m2 == b('m2_responder_e_ee_s_es_snm')[2:], 'm2'
    payload = i.read_message(m2)
    assert payload == b('signature_noise_message')
    assert i.get_handshake_hash() == b('handshake_hash'), 'hash'
    extra = ''
    if 'i2r_wire' in v:
        w = b('i2r_wire'); plain = b''
        while w:
            n = int.from_bytes(w[:2], 'little'); plain += r.decrypt(w[2:2+n]); w = w[2+n:]
        assert plain == bytes(i % 251 for i in range(70000)), 'i2r'
        w = b('r2i_wire'); plain = b''
        while w:
            n = int.from_bytes(w[:2], 'little'); plain += i.decrypt(w[2:2+n]); w = w[2+n:]
        assert plain == b('r2i_plaintext'), 'r2i'
        extra = ' + transport'
    print('OK', path.split('/')[-1], extra)
