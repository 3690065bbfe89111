# Independent cpio -H crc writer (Python) that made Golden/two-entries.cpio.
import sys
def ent(out,name,data,ino,mode=0o100644):
    cs=sum(data)&0xffffffff
    nb=name.encode()+b'\0'
    h='070702'+''.join('%08X'%v for v in [ino,mode,0,0,1,0,len(data),0,0,0,0,len(nb),cs])
    out.write(h.encode()+nb); out.write(b'\0'*((4-(110+len(nb))%4)%4))
    out.write(data); out.write(b'\0'*((4-len(data)%4)%4))
with open(sys.argv[1],'wb') as o:
    ent(o,'sw-description',b'hello\n',1)
    ent(o,'payload.bin',bytes(range(256))*3+b'\xff\xfe\xfd',2)
    ent(o,'TRAILER!!!',b'',0,0)
