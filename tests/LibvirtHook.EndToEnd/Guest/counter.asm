; The end-to-end tests' guest: a 512-byte BIOS boot sector that proves what its disks held.
; For each of the first two hard disks (BIOS drives 0x80, 0x81) it reads sector 1 (LBA 1),
; prints "boot drive=80 seen=0000002A" on COM1, adds one to the little-endian counter in the
; sector's first four bytes and writes the sector back. Then it ends as assembled:
;   nasm -f bin -DEND_HALT     stays up (hlt forever)
;   nasm -f bin -DEND_POWEROFF ACPI power-off on the pc machine
;   nasm -f bin -DEND_RESET    resets through the keyboard controller
bits 16
org 0x7c00

SECTOR equ 0x8000

start:
    cli
    xor ax, ax
    mov ds, ax
    mov es, ax
    mov ss, ax
    mov sp, 0x7c00
    sti
    mov byte [drive], 0x80

next_drive:
    mov ah, 0x02            ; read one sector: cylinder 0, head 0, sector 2 (= LBA 1)
    mov al, 1
    mov cx, 0x0002
    xor dh, dh
    mov dl, [drive]
    mov bx, SECTOR
    int 0x13
    jc skip_drive

    mov si, msg_boot
    call print
    mov al, [drive]
    call print_hex8
    mov si, msg_seen
    call print
    mov al, [SECTOR + 3]
    call print_hex8
    mov al, [SECTOR + 2]
    call print_hex8
    mov al, [SECTOR + 1]
    call print_hex8
    mov al, [SECTOR]
    call print_hex8
    mov si, msg_eol
    call print

    add dword [SECTOR], 1
    mov ah, 0x03            ; write it back
    mov al, 1
    mov cx, 0x0002
    xor dh, dh
    mov dl, [drive]
    mov bx, SECTOR
    int 0x13

skip_drive:
    inc byte [drive]
    cmp byte [drive], 0x82
    jb next_drive

    mov si, msg_done
    call print

%ifdef END_POWEROFF
    mov dx, 0x604
    mov ax, 0x2000
    out dx, ax
%endif
%ifdef END_RESET
    mov al, 0xFE
    out 0x64, al
%endif
halt:
    cli
    hlt
    jmp halt

; print the zero-terminated string at si on COM1
print:
    mov dx, 0x3F8
.loop:
    lodsb
    test al, al
    jz .done
    out dx, al
    jmp .loop
.done:
    ret

; print al as two hex digits on COM1
print_hex8:
    push ax
    shr al, 4
    call print_nibble
    pop ax
    and al, 0x0F
print_nibble:
    and al, 0x0F
    add al, '0'
    cmp al, '9'
    jbe .out
    add al, 'A' - '0' - 10
.out:
    mov dx, 0x3F8
    out dx, al
    ret

drive:    db 0
msg_boot: db "boot drive=", 0
msg_seen: db " seen=", 0
msg_eol:  db 13, 10, 0
msg_done: db "done", 13, 10, 0

times 510 - ($ - $$) db 0
dw 0xAA55
