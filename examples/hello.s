	.text
	.file	"hello.c"
	.file	0 "/work/wt-core/examples" "hello.c" md5 0x78968ef074cff0c4e69e79a73d7a3123
	.file	1 "/usr/include/asm-generic" "int-ll64.h" md5 0xb810f270733e106319b67ef512c6246e
	.file	2 "/usr/include/bpf" "bpf_helper_defs.h" md5 0xba0039f6acc4710a5f4349e628ddfb60
	.file	3 "/usr/include/linux" "bpf.h" md5 0x8ab7bf195d20e2851bf1a9e5b71245ca
	.section	xdp,"ax",@progbits
	.globl	hello                           # -- Begin function hello
	.p2align	3
	.type	hello,@function
hello:                                  # @hello
.Lfunc_begin0:
	.cfi_sections .debug_frame
	.cfi_startproc
# %bb.0:
	#DEBUG_VALUE: hello:ctx <- $r1
	.loc	0 19 38 prologue_end            # hello.c:19:38
.Ltmp0:
	w2 = *(u32 *)(r1 + 4)
.Ltmp1:
.Ltmp2:
	#DEBUG_VALUE: hello:data_end <- $r2
	.loc	0 18 34                         # hello.c:18:34
.Ltmp3:
	w1 = *(u32 *)(r1 + 0)
.Ltmp4:
.Ltmp5:
	#DEBUG_VALUE: hello:eth <- $r1
	#DEBUG_VALUE: hello:data <- $r1
	.loc	0 0 34 is_stmt 0                # hello.c:0:34
	w3 = 2
	.loc	0 21 8 is_stmt 1                # hello.c:21:8
.Ltmp6:
	*(u32 *)(r10 - 4) = w3
	w0 = 0
.Ltmp7:
	.loc	0 23 19                         # hello.c:23:19
.Ltmp8:
.Ltmp9:
	r3 = r1
	r3 += 14
.Ltmp10:
.Ltmp11:
	.loc	0 23 6 is_stmt 0                # hello.c:23:6
.Ltmp12:
	if r3 > r2 goto LBB0_10
.Ltmp13:
.Ltmp14:
# %bb.1:
	#DEBUG_VALUE: hello:data <- $r1
	#DEBUG_VALUE: hello:eth <- $r1
	#DEBUG_VALUE: hello:data_end <- $r2
	.loc	0 25 11 is_stmt 1               # hello.c:25:11
.Ltmp15:
	w2 = *(u8 *)(r1 + 12)
.Ltmp16:
.Ltmp17:
	w1 = *(u8 *)(r1 + 13)
.Ltmp18:
.Ltmp19:
	w1 <<= 8
	w1 |= w2
.Ltmp20:
.Ltmp21:
	.loc	0 25 6 is_stmt 0                # hello.c:25:6
.Ltmp22:
	if w1 == 56710 goto LBB0_4
# %bb.2:
	if w1 != 8 goto LBB0_6
# %bb.3:
	.loc	0 0 6                           # hello.c:0:6
	w1 = 0
.Ltmp23:
	.loc	0 26 7 is_stmt 1                # hello.c:26:7
.Ltmp24:
.Ltmp25:
	goto LBB0_5
LBB0_4:
	.loc	0 0 7 is_stmt 0                 # hello.c:0:7
	w1 = 1
LBB0_5:
	*(u32 *)(r10 - 4) = w1
.Ltmp26:
.Ltmp27:
LBB0_6:
	r2 = r10
	r2 += -4
	.loc	0 29 13 is_stmt 1               # hello.c:29:13
.Ltmp28:
	r1 = counts ll
	call 1
.Ltmp29:
.Ltmp30:
	#DEBUG_VALUE: hello:n <- $r0
	.loc	0 30 6                          # hello.c:30:6
.Ltmp31:
	if r0 == 0 goto LBB0_8
.Ltmp32:
.Ltmp33:
# %bb.7:
	#DEBUG_VALUE: hello:n <- $r0
	.loc	0 0 6 is_stmt 0                 # hello.c:0:6
	r1 = 1
.Ltmp34:
	.loc	0 31 3 is_stmt 1                # hello.c:31:3
.Ltmp35:
.Ltmp36:
	lock *(u64 *)(r0 + 0) += r1
.Ltmp37:
.Ltmp38:
LBB0_8:
	#DEBUG_VALUE: hello:n <- $r0
	.loc	0 0 3 is_stmt 0                 # hello.c:0:3
	w0 = 1
.Ltmp39:
.Ltmp40:
	.loc	0 32 9 is_stmt 1                # hello.c:32:9
.Ltmp41:
	w1 = *(u32 *)(r10 - 4)
	if w1 == 1 goto LBB0_10
# %bb.9:
	.loc	0 0 9 is_stmt 0                 # hello.c:0:9
	w0 = 2
LBB0_10:
	.loc	0 33 1 is_stmt 1                # hello.c:33:1
.Ltmp42:
	exit
.Ltmp43:
.Ltmp44:
.Lfunc_end0:
	.size	hello, .Lfunc_end0-hello
	.cfi_endproc
                                        # -- End function
	.type	counts,@object                  # @counts
	.section	.maps,"aw",@progbits
	.globl	counts
	.p2align	3, 0x0
counts:
	.zero	32
	.size	counts, 32

	.type	LICENSE,@object                 # @LICENSE
	.section	license,"aw",@progbits
	.globl	LICENSE
LICENSE:
	.asciz	"GPL"
	.size	LICENSE, 4

	.file	4 "/usr/include/linux" "if_ether.h" md5 0x163f54fb1af2e21fea410f14eb18fa76
	.file	5 "/usr/include/linux" "types.h" md5 0xa82ae197a4533c0fa7d08f3ccc99ef94
	.section	.debug_loclists,"",@progbits
	.long	.Ldebug_list_header_end0-.Ldebug_list_header_start0 # Length
.Ldebug_list_header_start0:
	.short	5                               # Version
	.byte	8                               # Address size
	.byte	0                               # Segment selector size
	.long	5                               # Offset entry count
.Lloclists_table_base0:
	.long	.Ldebug_loc0-.Lloclists_table_base0
	.long	.Ldebug_loc1-.Lloclists_table_base0
	.long	.Ldebug_loc2-.Lloclists_table_base0
	.long	.Ldebug_loc3-.Lloclists_table_base0
	.long	.Ldebug_loc4-.Lloclists_table_base0
.Ldebug_loc0:
	.byte	4                               # DW_LLE_offset_pair
	.uleb128 .Lfunc_begin0-.Lfunc_begin0    #   starting offset
	.uleb128 .Ltmp4-.Lfunc_begin0           #   ending offset
	.byte	1                               # Loc expr size
	.byte	81                              # DW_OP_reg1
	.byte	0                               # DW_LLE_end_of_list
.Ldebug_loc1:
	.byte	4                               # DW_LLE_offset_pair
	.uleb128 .Ltmp1-.Lfunc_begin0           #   starting offset
	.uleb128 .Ltmp16-.Lfunc_begin0          #   ending offset
	.byte	1                               # Loc expr size
	.byte	82                              # DW_OP_reg2
	.byte	0                               # DW_LLE_end_of_list
.Ldebug_loc2:
	.byte	4                               # DW_LLE_offset_pair
	.uleb128 .Ltmp4-.Lfunc_begin0           #   starting offset
	.uleb128 .Ltmp18-.Lfunc_begin0          #   ending offset
	.byte	1                               # Loc expr size
	.byte	81                              # DW_OP_reg1
	.byte	0                               # DW_LLE_end_of_list
.Ldebug_loc3:
	.byte	4                               # DW_LLE_offset_pair
	.uleb128 .Ltmp4-.Lfunc_begin0           #   starting offset
	.uleb128 .Ltmp18-.Lfunc_begin0          #   ending offset
	.byte	1                               # Loc expr size
	.byte	81                              # DW_OP_reg1
	.byte	0                               # DW_LLE_end_of_list
.Ldebug_loc4:
	.byte	4                               # DW_LLE_offset_pair
	.uleb128 .Ltmp29-.Lfunc_begin0          #   starting offset
	.uleb128 .Ltmp39-.Lfunc_begin0          #   ending offset
	.byte	1                               # Loc expr size
	.byte	80                              # DW_OP_reg0
	.byte	0                               # DW_LLE_end_of_list
.Ldebug_list_header_end0:
	.section	.debug_abbrev,"",@progbits
	.byte	1                               # Abbreviation Code
	.byte	17                              # DW_TAG_compile_unit
	.byte	1                               # DW_CHILDREN_yes
	.byte	37                              # DW_AT_producer
	.byte	37                              # DW_FORM_strx1
	.byte	19                              # DW_AT_language
	.byte	5                               # DW_FORM_data2
	.byte	3                               # DW_AT_name
	.byte	37                              # DW_FORM_strx1
	.byte	114                             # DW_AT_str_offsets_base
	.byte	23                              # DW_FORM_sec_offset
	.byte	16                              # DW_AT_stmt_list
	.byte	23                              # DW_FORM_sec_offset
	.byte	27                              # DW_AT_comp_dir
	.byte	37                              # DW_FORM_strx1
	.byte	17                              # DW_AT_low_pc
	.byte	27                              # DW_FORM_addrx
	.byte	18                              # DW_AT_high_pc
	.byte	6                               # DW_FORM_data4
	.byte	115                             # DW_AT_addr_base
	.byte	23                              # DW_FORM_sec_offset
	.ascii	"\214\001"                      # DW_AT_loclists_base
	.byte	23                              # DW_FORM_sec_offset
	.byte	0                               # EOM(1)
	.byte	0                               # EOM(2)
	.byte	2                               # Abbreviation Code
	.byte	52                              # DW_TAG_variable
	.byte	0                               # DW_CHILDREN_no
	.byte	3                               # DW_AT_name
	.byte	37                              # DW_FORM_strx1
	.byte	73                              # DW_AT_type
	.byte	19                              # DW_FORM_ref4
	.byte	63                              # DW_AT_external
	.byte	25                              # DW_FORM_flag_present
	.byte	58                              # DW_AT_decl_file
	.byte	11                              # DW_FORM_data1
	.byte	59                              # DW_AT_decl_line
	.byte	11                              # DW_FORM_data1
	.byte	2                               # DW_AT_location
	.byte	24                              # DW_FORM_exprloc
	.byte	0                               # EOM(1)
	.byte	0                               # EOM(2)
	.byte	3                               # Abbreviation Code
	.byte	1                               # DW_TAG_array_type
	.byte	1                               # DW_CHILDREN_yes
	.byte	73                              # DW_AT_type
	.byte	19                              # DW_FORM_ref4
	.byte	0                               # EOM(1)
	.byte	0                               # EOM(2)
	.byte	4                               # Abbreviation Code
	.byte	33                              # DW_TAG_subrange_type
	.byte	0                               # DW_CHILDREN_no
	.byte	73                              # DW_AT_type
	.byte	19                              # DW_FORM_ref4
	.byte	55                              # DW_AT_count
	.byte	11                              # DW_FORM_data1
	.byte	0                               # EOM(1)
	.byte	0                               # EOM(2)
	.byte	5                               # Abbreviation Code
	.byte	36                              # DW_TAG_base_type
	.byte	0                               # DW_CHILDREN_no
	.byte	3                               # DW_AT_name
	.byte	37                              # DW_FORM_strx1
	.byte	62                              # DW_AT_encoding
	.byte	11                              # DW_FORM_data1
	.byte	11                              # DW_AT_byte_size
	.byte	11                              # DW_FORM_data1
	.byte	0                               # EOM(1)
	.byte	0                               # EOM(2)
	.byte	6                               # Abbreviation Code
	.byte	36                              # DW_TAG_base_type
	.byte	0                               # DW_CHILDREN_no
	.byte	3                               # DW_AT_name
	.byte	37                              # DW_FORM_strx1
	.byte	11                              # DW_AT_byte_size
	.byte	11                              # DW_FORM_data1
	.byte	62                              # DW_AT_encoding
	.byte	11                              # DW_FORM_data1
	.byte	0                               # EOM(1)
	.byte	0                               # EOM(2)
	.byte	7                               # Abbreviation Code
	.byte	19                              # DW_TAG_structure_type
	.byte	1                               # DW_CHILDREN_yes
	.byte	11                              # DW_AT_byte_size
	.byte	11                              # DW_FORM_data1
	.byte	58                              # DW_AT_decl_file
	.byte	11                              # DW_FORM_data1
	.byte	59                              # DW_AT_decl_line
	.byte	11                              # DW_FORM_data1
	.byte	0                               # EOM(1)
	.byte	0                               # EOM(2)
	.byte	8                               # Abbreviation Code
	.byte	13                              # DW_TAG_member
	.byte	0                               # DW_CHILDREN_no
	.byte	3                               # DW_AT_name
	.byte	37                              # DW_FORM_strx1
	.byte	73                              # DW_AT_type
	.byte	19                              # DW_FORM_ref4
	.byte	58                              # DW_AT_decl_file
	.byte	11                              # DW_FORM_data1
	.byte	59                              # DW_AT_decl_line
	.byte	11                              # DW_FORM_data1
	.byte	56                              # DW_AT_data_member_location
	.byte	11                              # DW_FORM_data1
	.byte	0                               # EOM(1)
	.byte	0                               # EOM(2)
	.byte	9                               # Abbreviation Code
	.byte	15                              # DW_TAG_pointer_type
	.byte	0                               # DW_CHILDREN_no
	.byte	73                              # DW_AT_type
	.byte	19                              # DW_FORM_ref4
	.byte	0                               # EOM(1)
	.byte	0                               # EOM(2)
	.byte	10                              # Abbreviation Code
	.byte	22                              # DW_TAG_typedef
	.byte	0                               # DW_CHILDREN_no
	.byte	73                              # DW_AT_type
	.byte	19                              # DW_FORM_ref4
	.byte	3                               # DW_AT_name
	.byte	37                              # DW_FORM_strx1
	.byte	58                              # DW_AT_decl_file
	.byte	11                              # DW_FORM_data1
	.byte	59                              # DW_AT_decl_line
	.byte	11                              # DW_FORM_data1
	.byte	0                               # EOM(1)
	.byte	0                               # EOM(2)
	.byte	11                              # Abbreviation Code
	.byte	52                              # DW_TAG_variable
	.byte	0                               # DW_CHILDREN_no
	.byte	3                               # DW_AT_name
	.byte	37                              # DW_FORM_strx1
	.byte	73                              # DW_AT_type
	.byte	19                              # DW_FORM_ref4
	.byte	58                              # DW_AT_decl_file
	.byte	11                              # DW_FORM_data1
	.byte	59                              # DW_AT_decl_line
	.byte	11                              # DW_FORM_data1
	.byte	28                              # DW_AT_const_value
	.byte	15                              # DW_FORM_udata
	.byte	0                               # EOM(1)
	.byte	0                               # EOM(2)
	.byte	12                              # Abbreviation Code
	.byte	21                              # DW_TAG_subroutine_type
	.byte	1                               # DW_CHILDREN_yes
	.byte	73                              # DW_AT_type
	.byte	19                              # DW_FORM_ref4
	.byte	39                              # DW_AT_prototyped
	.byte	25                              # DW_FORM_flag_present
	.byte	0                               # EOM(1)
	.byte	0                               # EOM(2)
	.byte	13                              # Abbreviation Code
	.byte	5                               # DW_TAG_formal_parameter
	.byte	0                               # DW_CHILDREN_no
	.byte	73                              # DW_AT_type
	.byte	19                              # DW_FORM_ref4
	.byte	0                               # EOM(1)
	.byte	0                               # EOM(2)
	.byte	14                              # Abbreviation Code
	.byte	15                              # DW_TAG_pointer_type
	.byte	0                               # DW_CHILDREN_no
	.byte	0                               # EOM(1)
	.byte	0                               # EOM(2)
	.byte	15                              # Abbreviation Code
	.byte	38                              # DW_TAG_const_type
	.byte	0                               # DW_CHILDREN_no
	.byte	0                               # EOM(1)
	.byte	0                               # EOM(2)
	.byte	16                              # Abbreviation Code
	.byte	4                               # DW_TAG_enumeration_type
	.byte	1                               # DW_CHILDREN_yes
	.byte	73                              # DW_AT_type
	.byte	19                              # DW_FORM_ref4
	.byte	3                               # DW_AT_name
	.byte	37                              # DW_FORM_strx1
	.byte	11                              # DW_AT_byte_size
	.byte	11                              # DW_FORM_data1
	.byte	58                              # DW_AT_decl_file
	.byte	11                              # DW_FORM_data1
	.byte	59                              # DW_AT_decl_line
	.byte	5                               # DW_FORM_data2
	.byte	0                               # EOM(1)
	.byte	0                               # EOM(2)
	.byte	17                              # Abbreviation Code
	.byte	40                              # DW_TAG_enumerator
	.byte	0                               # DW_CHILDREN_no
	.byte	3                               # DW_AT_name
	.byte	37                              # DW_FORM_strx1
	.byte	28                              # DW_AT_const_value
	.byte	15                              # DW_FORM_udata
	.byte	0                               # EOM(1)
	.byte	0                               # EOM(2)
	.byte	18                              # Abbreviation Code
	.byte	46                              # DW_TAG_subprogram
	.byte	1                               # DW_CHILDREN_yes
	.byte	17                              # DW_AT_low_pc
	.byte	27                              # DW_FORM_addrx
	.byte	18                              # DW_AT_high_pc
	.byte	6                               # DW_FORM_data4
	.byte	64                              # DW_AT_frame_base
	.byte	24                              # DW_FORM_exprloc
	.byte	122                             # DW_AT_call_all_calls
	.byte	25                              # DW_FORM_flag_present
	.byte	3                               # DW_AT_name
	.byte	37                              # DW_FORM_strx1
	.byte	58                              # DW_AT_decl_file
	.byte	11                              # DW_FORM_data1
	.byte	59                              # DW_AT_decl_line
	.byte	11                              # DW_FORM_data1
	.byte	39                              # DW_AT_prototyped
	.byte	25                              # DW_FORM_flag_present
	.byte	73                              # DW_AT_type
	.byte	19                              # DW_FORM_ref4
	.byte	63                              # DW_AT_external
	.byte	25                              # DW_FORM_flag_present
	.byte	0                               # EOM(1)
	.byte	0                               # EOM(2)
	.byte	19                              # Abbreviation Code
	.byte	5                               # DW_TAG_formal_parameter
	.byte	0                               # DW_CHILDREN_no
	.byte	2                               # DW_AT_location
	.byte	34                              # DW_FORM_loclistx
	.byte	3                               # DW_AT_name
	.byte	37                              # DW_FORM_strx1
	.byte	58                              # DW_AT_decl_file
	.byte	11                              # DW_FORM_data1
	.byte	59                              # DW_AT_decl_line
	.byte	11                              # DW_FORM_data1
	.byte	73                              # DW_AT_type
	.byte	19                              # DW_FORM_ref4
	.byte	0                               # EOM(1)
	.byte	0                               # EOM(2)
	.byte	20                              # Abbreviation Code
	.byte	52                              # DW_TAG_variable
	.byte	0                               # DW_CHILDREN_no
	.byte	2                               # DW_AT_location
	.byte	24                              # DW_FORM_exprloc
	.byte	3                               # DW_AT_name
	.byte	37                              # DW_FORM_strx1
	.byte	58                              # DW_AT_decl_file
	.byte	11                              # DW_FORM_data1
	.byte	59                              # DW_AT_decl_line
	.byte	11                              # DW_FORM_data1
	.byte	73                              # DW_AT_type
	.byte	19                              # DW_FORM_ref4
	.byte	0                               # EOM(1)
	.byte	0                               # EOM(2)
	.byte	21                              # Abbreviation Code
	.byte	52                              # DW_TAG_variable
	.byte	0                               # DW_CHILDREN_no
	.byte	2                               # DW_AT_location
	.byte	34                              # DW_FORM_loclistx
	.byte	3                               # DW_AT_name
	.byte	37                              # DW_FORM_strx1
	.byte	58                              # DW_AT_decl_file
	.byte	11                              # DW_FORM_data1
	.byte	59                              # DW_AT_decl_line
	.byte	11                              # DW_FORM_data1
	.byte	73                              # DW_AT_type
	.byte	19                              # DW_FORM_ref4
	.byte	0                               # EOM(1)
	.byte	0                               # EOM(2)
	.byte	22                              # Abbreviation Code
	.byte	19                              # DW_TAG_structure_type
	.byte	1                               # DW_CHILDREN_yes
	.byte	3                               # DW_AT_name
	.byte	37                              # DW_FORM_strx1
	.byte	11                              # DW_AT_byte_size
	.byte	11                              # DW_FORM_data1
	.byte	58                              # DW_AT_decl_file
	.byte	11                              # DW_FORM_data1
	.byte	59                              # DW_AT_decl_line
	.byte	5                               # DW_FORM_data2
	.byte	0                               # EOM(1)
	.byte	0                               # EOM(2)
	.byte	23                              # Abbreviation Code
	.byte	13                              # DW_TAG_member
	.byte	0                               # DW_CHILDREN_no
	.byte	3                               # DW_AT_name
	.byte	37                              # DW_FORM_strx1
	.byte	73                              # DW_AT_type
	.byte	19                              # DW_FORM_ref4
	.byte	58                              # DW_AT_decl_file
	.byte	11                              # DW_FORM_data1
	.byte	59                              # DW_AT_decl_line
	.byte	5                               # DW_FORM_data2
	.byte	56                              # DW_AT_data_member_location
	.byte	11                              # DW_FORM_data1
	.byte	0                               # EOM(1)
	.byte	0                               # EOM(2)
	.byte	24                              # Abbreviation Code
	.byte	19                              # DW_TAG_structure_type
	.byte	1                               # DW_CHILDREN_yes
	.byte	3                               # DW_AT_name
	.byte	37                              # DW_FORM_strx1
	.byte	11                              # DW_AT_byte_size
	.byte	11                              # DW_FORM_data1
	.byte	58                              # DW_AT_decl_file
	.byte	11                              # DW_FORM_data1
	.byte	59                              # DW_AT_decl_line
	.byte	11                              # DW_FORM_data1
	.byte	0                               # EOM(1)
	.byte	0                               # EOM(2)
	.byte	0                               # EOM(3)
	.section	.debug_info,"",@progbits
.Lcu_begin0:
	.long	.Ldebug_info_end0-.Ldebug_info_start0 # Length of Unit
.Ldebug_info_start0:
	.short	5                               # DWARF version number
	.byte	1                               # DWARF Unit Type
	.byte	8                               # Address Size (in bytes)
	.long	.debug_abbrev                   # Offset Into Abbrev. Section
	.byte	1                               # Abbrev [1] 0xc:0x1d4 DW_TAG_compile_unit
	.byte	0                               # DW_AT_producer
	.short	29                              # DW_AT_language
	.byte	1                               # DW_AT_name
	.long	.Lstr_offsets_base0             # DW_AT_str_offsets_base
	.long	.Lline_table_start0             # DW_AT_stmt_list
	.byte	2                               # DW_AT_comp_dir
	.byte	2                               # DW_AT_low_pc
	.long	.Lfunc_end0-.Lfunc_begin0       # DW_AT_high_pc
	.long	.Laddr_table_base0              # DW_AT_addr_base
	.long	.Lloclists_table_base0          # DW_AT_loclists_base
	.byte	2                               # Abbrev [2] 0x27:0xb DW_TAG_variable
	.byte	3                               # DW_AT_name
	.long	50                              # DW_AT_type
                                        # DW_AT_external
	.byte	0                               # DW_AT_decl_file
	.byte	35                              # DW_AT_decl_line
	.byte	2                               # DW_AT_location
	.byte	161
	.byte	0
	.byte	3                               # Abbrev [3] 0x32:0xc DW_TAG_array_type
	.long	62                              # DW_AT_type
	.byte	4                               # Abbrev [4] 0x37:0x6 DW_TAG_subrange_type
	.long	66                              # DW_AT_type
	.byte	4                               # DW_AT_count
	.byte	0                               # End Of Children Mark
	.byte	5                               # Abbrev [5] 0x3e:0x4 DW_TAG_base_type
	.byte	4                               # DW_AT_name
	.byte	6                               # DW_AT_encoding
	.byte	1                               # DW_AT_byte_size
	.byte	6                               # Abbrev [6] 0x42:0x4 DW_TAG_base_type
	.byte	5                               # DW_AT_name
	.byte	8                               # DW_AT_byte_size
	.byte	7                               # DW_AT_encoding
	.byte	2                               # Abbrev [2] 0x46:0xb DW_TAG_variable
	.byte	6                               # DW_AT_name
	.long	81                              # DW_AT_type
                                        # DW_AT_external
	.byte	0                               # DW_AT_decl_file
	.byte	13                              # DW_AT_decl_line
	.byte	2                               # DW_AT_location
	.byte	161
	.byte	1
	.byte	7                               # Abbrev [7] 0x51:0x29 DW_TAG_structure_type
	.byte	32                              # DW_AT_byte_size
	.byte	0                               # DW_AT_decl_file
	.byte	8                               # DW_AT_decl_line
	.byte	8                               # Abbrev [8] 0x55:0x9 DW_TAG_member
	.byte	7                               # DW_AT_name
	.long	122                             # DW_AT_type
	.byte	0                               # DW_AT_decl_file
	.byte	9                               # DW_AT_decl_line
	.byte	0                               # DW_AT_data_member_location
	.byte	8                               # Abbrev [8] 0x5e:0x9 DW_TAG_member
	.byte	9                               # DW_AT_name
	.long	143                             # DW_AT_type
	.byte	0                               # DW_AT_decl_file
	.byte	10                              # DW_AT_decl_line
	.byte	8                               # DW_AT_data_member_location
	.byte	8                               # Abbrev [8] 0x67:0x9 DW_TAG_member
	.byte	10                              # DW_AT_name
	.long	160                             # DW_AT_type
	.byte	0                               # DW_AT_decl_file
	.byte	11                              # DW_AT_decl_line
	.byte	16                              # DW_AT_data_member_location
	.byte	8                               # Abbrev [8] 0x70:0x9 DW_TAG_member
	.byte	13                              # DW_AT_name
	.long	177                             # DW_AT_type
	.byte	0                               # DW_AT_decl_file
	.byte	12                              # DW_AT_decl_line
	.byte	24                              # DW_AT_data_member_location
	.byte	0                               # End Of Children Mark
	.byte	9                               # Abbrev [9] 0x7a:0x5 DW_TAG_pointer_type
	.long	127                             # DW_AT_type
	.byte	3                               # Abbrev [3] 0x7f:0xc DW_TAG_array_type
	.long	139                             # DW_AT_type
	.byte	4                               # Abbrev [4] 0x84:0x6 DW_TAG_subrange_type
	.long	66                              # DW_AT_type
	.byte	2                               # DW_AT_count
	.byte	0                               # End Of Children Mark
	.byte	5                               # Abbrev [5] 0x8b:0x4 DW_TAG_base_type
	.byte	8                               # DW_AT_name
	.byte	5                               # DW_AT_encoding
	.byte	4                               # DW_AT_byte_size
	.byte	9                               # Abbrev [9] 0x8f:0x5 DW_TAG_pointer_type
	.long	148                             # DW_AT_type
	.byte	3                               # Abbrev [3] 0x94:0xc DW_TAG_array_type
	.long	139                             # DW_AT_type
	.byte	4                               # Abbrev [4] 0x99:0x6 DW_TAG_subrange_type
	.long	66                              # DW_AT_type
	.byte	3                               # DW_AT_count
	.byte	0                               # End Of Children Mark
	.byte	9                               # Abbrev [9] 0xa0:0x5 DW_TAG_pointer_type
	.long	165                             # DW_AT_type
	.byte	10                              # Abbrev [10] 0xa5:0x8 DW_TAG_typedef
	.long	173                             # DW_AT_type
	.byte	12                              # DW_AT_name
	.byte	1                               # DW_AT_decl_file
	.byte	27                              # DW_AT_decl_line
	.byte	5                               # Abbrev [5] 0xad:0x4 DW_TAG_base_type
	.byte	11                              # DW_AT_name
	.byte	7                               # DW_AT_encoding
	.byte	4                               # DW_AT_byte_size
	.byte	9                               # Abbrev [9] 0xb1:0x5 DW_TAG_pointer_type
	.long	182                             # DW_AT_type
	.byte	10                              # Abbrev [10] 0xb6:0x8 DW_TAG_typedef
	.long	190                             # DW_AT_type
	.byte	15                              # DW_AT_name
	.byte	1                               # DW_AT_decl_file
	.byte	31                              # DW_AT_decl_line
	.byte	5                               # Abbrev [5] 0xbe:0x4 DW_TAG_base_type
	.byte	14                              # DW_AT_name
	.byte	7                               # DW_AT_encoding
	.byte	8                               # DW_AT_byte_size
	.byte	11                              # Abbrev [11] 0xc2:0x9 DW_TAG_variable
	.byte	16                              # DW_AT_name
	.long	203                             # DW_AT_type
	.byte	2                               # DW_AT_decl_file
	.byte	56                              # DW_AT_decl_line
	.byte	1                               # DW_AT_const_value
	.byte	9                               # Abbrev [9] 0xcb:0x5 DW_TAG_pointer_type
	.long	208                             # DW_AT_type
	.byte	12                              # Abbrev [12] 0xd0:0x10 DW_TAG_subroutine_type
	.long	224                             # DW_AT_type
                                        # DW_AT_prototyped
	.byte	13                              # Abbrev [13] 0xd5:0x5 DW_TAG_formal_parameter
	.long	224                             # DW_AT_type
	.byte	13                              # Abbrev [13] 0xda:0x5 DW_TAG_formal_parameter
	.long	225                             # DW_AT_type
	.byte	0                               # End Of Children Mark
	.byte	14                              # Abbrev [14] 0xe0:0x1 DW_TAG_pointer_type
	.byte	9                               # Abbrev [9] 0xe1:0x5 DW_TAG_pointer_type
	.long	230                             # DW_AT_type
	.byte	15                              # Abbrev [15] 0xe6:0x1 DW_TAG_const_type
	.byte	16                              # Abbrev [16] 0xe7:0x1a DW_TAG_enumeration_type
	.long	173                             # DW_AT_type
	.byte	22                              # DW_AT_name
	.byte	4                               # DW_AT_byte_size
	.byte	3                               # DW_AT_decl_file
	.short	6089                            # DW_AT_decl_line
	.byte	17                              # Abbrev [17] 0xf1:0x3 DW_TAG_enumerator
	.byte	17                              # DW_AT_name
	.byte	0                               # DW_AT_const_value
	.byte	17                              # Abbrev [17] 0xf4:0x3 DW_TAG_enumerator
	.byte	18                              # DW_AT_name
	.byte	1                               # DW_AT_const_value
	.byte	17                              # Abbrev [17] 0xf7:0x3 DW_TAG_enumerator
	.byte	19                              # DW_AT_name
	.byte	2                               # DW_AT_const_value
	.byte	17                              # Abbrev [17] 0xfa:0x3 DW_TAG_enumerator
	.byte	20                              # DW_AT_name
	.byte	3                               # DW_AT_const_value
	.byte	17                              # Abbrev [17] 0xfd:0x3 DW_TAG_enumerator
	.byte	21                              # DW_AT_name
	.byte	4                               # DW_AT_const_value
	.byte	0                               # End Of Children Mark
	.byte	5                               # Abbrev [5] 0x101:0x4 DW_TAG_base_type
	.byte	23                              # DW_AT_name
	.byte	5                               # DW_AT_encoding
	.byte	8                               # DW_AT_byte_size
	.byte	10                              # Abbrev [10] 0x105:0x8 DW_TAG_typedef
	.long	269                             # DW_AT_type
	.byte	25                              # DW_AT_name
	.byte	1                               # DW_AT_decl_file
	.byte	24                              # DW_AT_decl_line
	.byte	5                               # Abbrev [5] 0x10d:0x4 DW_TAG_base_type
	.byte	24                              # DW_AT_name
	.byte	7                               # DW_AT_encoding
	.byte	2                               # DW_AT_byte_size
	.byte	18                              # Abbrev [18] 0x111:0x48 DW_TAG_subprogram
	.byte	2                               # DW_AT_low_pc
	.long	.Lfunc_end0-.Lfunc_begin0       # DW_AT_high_pc
	.byte	1                               # DW_AT_frame_base
	.byte	90
                                        # DW_AT_call_all_calls
	.byte	26                              # DW_AT_name
	.byte	0                               # DW_AT_decl_file
	.byte	16                              # DW_AT_decl_line
                                        # DW_AT_prototyped
	.long	139                             # DW_AT_type
                                        # DW_AT_external
	.byte	19                              # Abbrev [19] 0x120:0x9 DW_TAG_formal_parameter
	.byte	0                               # DW_AT_location
	.byte	27                              # DW_AT_name
	.byte	0                               # DW_AT_decl_file
	.byte	16                              # DW_AT_decl_line
	.long	345                             # DW_AT_type
	.byte	20                              # Abbrev [20] 0x129:0xb DW_TAG_variable
	.byte	2                               # DW_AT_location
	.byte	145
	.byte	4
	.byte	10                              # DW_AT_name
	.byte	0                               # DW_AT_decl_file
	.byte	21                              # DW_AT_decl_line
	.long	165                             # DW_AT_type
	.byte	21                              # Abbrev [21] 0x134:0x9 DW_TAG_variable
	.byte	1                               # DW_AT_location
	.byte	29                              # DW_AT_name
	.byte	0                               # DW_AT_decl_file
	.byte	19                              # DW_AT_decl_line
	.long	224                             # DW_AT_type
	.byte	21                              # Abbrev [21] 0x13d:0x9 DW_TAG_variable
	.byte	2                               # DW_AT_location
	.byte	35                              # DW_AT_name
	.byte	0                               # DW_AT_decl_file
	.byte	20                              # DW_AT_decl_line
	.long	417                             # DW_AT_type
	.byte	21                              # Abbrev [21] 0x146:0x9 DW_TAG_variable
	.byte	3                               # DW_AT_location
	.byte	28                              # DW_AT_name
	.byte	0                               # DW_AT_decl_file
	.byte	18                              # DW_AT_decl_line
	.long	224                             # DW_AT_type
	.byte	21                              # Abbrev [21] 0x14f:0x9 DW_TAG_variable
	.byte	4                               # DW_AT_location
	.byte	42                              # DW_AT_name
	.byte	0                               # DW_AT_decl_file
	.byte	29                              # DW_AT_decl_line
	.long	177                             # DW_AT_type
	.byte	0                               # End Of Children Mark
	.byte	9                               # Abbrev [9] 0x159:0x5 DW_TAG_pointer_type
	.long	350                             # DW_AT_type
	.byte	22                              # Abbrev [22] 0x15e:0x43 DW_TAG_structure_type
	.byte	34                              # DW_AT_name
	.byte	24                              # DW_AT_byte_size
	.byte	3                               # DW_AT_decl_file
	.short	6100                            # DW_AT_decl_line
	.byte	23                              # Abbrev [23] 0x164:0xa DW_TAG_member
	.byte	28                              # DW_AT_name
	.long	165                             # DW_AT_type
	.byte	3                               # DW_AT_decl_file
	.short	6101                            # DW_AT_decl_line
	.byte	0                               # DW_AT_data_member_location
	.byte	23                              # Abbrev [23] 0x16e:0xa DW_TAG_member
	.byte	29                              # DW_AT_name
	.long	165                             # DW_AT_type
	.byte	3                               # DW_AT_decl_file
	.short	6102                            # DW_AT_decl_line
	.byte	4                               # DW_AT_data_member_location
	.byte	23                              # Abbrev [23] 0x178:0xa DW_TAG_member
	.byte	30                              # DW_AT_name
	.long	165                             # DW_AT_type
	.byte	3                               # DW_AT_decl_file
	.short	6103                            # DW_AT_decl_line
	.byte	8                               # DW_AT_data_member_location
	.byte	23                              # Abbrev [23] 0x182:0xa DW_TAG_member
	.byte	31                              # DW_AT_name
	.long	165                             # DW_AT_type
	.byte	3                               # DW_AT_decl_file
	.short	6105                            # DW_AT_decl_line
	.byte	12                              # DW_AT_data_member_location
	.byte	23                              # Abbrev [23] 0x18c:0xa DW_TAG_member
	.byte	32                              # DW_AT_name
	.long	165                             # DW_AT_type
	.byte	3                               # DW_AT_decl_file
	.short	6106                            # DW_AT_decl_line
	.byte	16                              # DW_AT_data_member_location
	.byte	23                              # Abbrev [23] 0x196:0xa DW_TAG_member
	.byte	33                              # DW_AT_name
	.long	165                             # DW_AT_type
	.byte	3                               # DW_AT_decl_file
	.short	6108                            # DW_AT_decl_line
	.byte	20                              # DW_AT_data_member_location
	.byte	0                               # End Of Children Mark
	.byte	9                               # Abbrev [9] 0x1a1:0x5 DW_TAG_pointer_type
	.long	422                             # DW_AT_type
	.byte	24                              # Abbrev [24] 0x1a6:0x21 DW_TAG_structure_type
	.byte	41                              # DW_AT_name
	.byte	14                              # DW_AT_byte_size
	.byte	4                               # DW_AT_decl_file
	.byte	173                             # DW_AT_decl_line
	.byte	8                               # Abbrev [8] 0x1ab:0x9 DW_TAG_member
	.byte	36                              # DW_AT_name
	.long	455                             # DW_AT_type
	.byte	4                               # DW_AT_decl_file
	.byte	174                             # DW_AT_decl_line
	.byte	0                               # DW_AT_data_member_location
	.byte	8                               # Abbrev [8] 0x1b4:0x9 DW_TAG_member
	.byte	38                              # DW_AT_name
	.long	455                             # DW_AT_type
	.byte	4                               # DW_AT_decl_file
	.byte	175                             # DW_AT_decl_line
	.byte	6                               # DW_AT_data_member_location
	.byte	8                               # Abbrev [8] 0x1bd:0x9 DW_TAG_member
	.byte	39                              # DW_AT_name
	.long	471                             # DW_AT_type
	.byte	4                               # DW_AT_decl_file
	.byte	176                             # DW_AT_decl_line
	.byte	12                              # DW_AT_data_member_location
	.byte	0                               # End Of Children Mark
	.byte	3                               # Abbrev [3] 0x1c7:0xc DW_TAG_array_type
	.long	467                             # DW_AT_type
	.byte	4                               # Abbrev [4] 0x1cc:0x6 DW_TAG_subrange_type
	.long	66                              # DW_AT_type
	.byte	6                               # DW_AT_count
	.byte	0                               # End Of Children Mark
	.byte	5                               # Abbrev [5] 0x1d3:0x4 DW_TAG_base_type
	.byte	37                              # DW_AT_name
	.byte	8                               # DW_AT_encoding
	.byte	1                               # DW_AT_byte_size
	.byte	10                              # Abbrev [10] 0x1d7:0x8 DW_TAG_typedef
	.long	261                             # DW_AT_type
	.byte	40                              # DW_AT_name
	.byte	5                               # DW_AT_decl_file
	.byte	28                              # DW_AT_decl_line
	.byte	0                               # End Of Children Mark
.Ldebug_info_end0:
	.section	.debug_str_offsets,"",@progbits
	.long	176                             # Length of String Offsets Set
	.short	5
	.short	0
.Lstr_offsets_base0:
	.section	.debug_str,"MS",@progbits,1
.Linfo_string0:
	.asciz	"Debian clang version 19.1.7 (3~deb12u1)" # string offset=0
.Linfo_string1:
	.asciz	"hello.c"                       # string offset=40
.Linfo_string2:
	.asciz	"/work/wt-core/examples"        # string offset=48
.Linfo_string3:
	.asciz	"LICENSE"                       # string offset=71
.Linfo_string4:
	.asciz	"char"                          # string offset=79
.Linfo_string5:
	.asciz	"__ARRAY_SIZE_TYPE__"           # string offset=84
.Linfo_string6:
	.asciz	"counts"                        # string offset=104
.Linfo_string7:
	.asciz	"type"                          # string offset=111
.Linfo_string8:
	.asciz	"int"                           # string offset=116
.Linfo_string9:
	.asciz	"max_entries"                   # string offset=120
.Linfo_string10:
	.asciz	"key"                           # string offset=132
.Linfo_string11:
	.asciz	"unsigned int"                  # string offset=136
.Linfo_string12:
	.asciz	"__u32"                         # string offset=149
.Linfo_string13:
	.asciz	"value"                         # string offset=155
.Linfo_string14:
	.asciz	"unsigned long long"            # string offset=161
.Linfo_string15:
	.asciz	"__u64"                         # string offset=180
.Linfo_string16:
	.asciz	"bpf_map_lookup_elem"           # string offset=186
.Linfo_string17:
	.asciz	"XDP_ABORTED"                   # string offset=206
.Linfo_string18:
	.asciz	"XDP_DROP"                      # string offset=218
.Linfo_string19:
	.asciz	"XDP_PASS"                      # string offset=227
.Linfo_string20:
	.asciz	"XDP_TX"                        # string offset=236
.Linfo_string21:
	.asciz	"XDP_REDIRECT"                  # string offset=243
.Linfo_string22:
	.asciz	"xdp_action"                    # string offset=256
.Linfo_string23:
	.asciz	"long"                          # string offset=267
.Linfo_string24:
	.asciz	"unsigned short"                # string offset=272
.Linfo_string25:
	.asciz	"__u16"                         # string offset=287
.Linfo_string26:
	.asciz	"hello"                         # string offset=293
.Linfo_string27:
	.asciz	"ctx"                           # string offset=299
.Linfo_string28:
	.asciz	"data"                          # string offset=303
.Linfo_string29:
	.asciz	"data_end"                      # string offset=308
.Linfo_string30:
	.asciz	"data_meta"                     # string offset=317
.Linfo_string31:
	.asciz	"ingress_ifindex"               # string offset=327
.Linfo_string32:
	.asciz	"rx_queue_index"                # string offset=343
.Linfo_string33:
	.asciz	"egress_ifindex"                # string offset=358
.Linfo_string34:
	.asciz	"xdp_md"                        # string offset=373
.Linfo_string35:
	.asciz	"eth"                           # string offset=380
.Linfo_string36:
	.asciz	"h_dest"                        # string offset=384
.Linfo_string37:
	.asciz	"unsigned char"                 # string offset=391
.Linfo_string38:
	.asciz	"h_source"                      # string offset=405
.Linfo_string39:
	.asciz	"h_proto"                       # string offset=414
.Linfo_string40:
	.asciz	"__be16"                        # string offset=422
.Linfo_string41:
	.asciz	"ethhdr"                        # string offset=429
.Linfo_string42:
	.asciz	"n"                             # string offset=436
	.section	.debug_str_offsets,"",@progbits
	.long	.Linfo_string0
	.long	.Linfo_string1
	.long	.Linfo_string2
	.long	.Linfo_string3
	.long	.Linfo_string4
	.long	.Linfo_string5
	.long	.Linfo_string6
	.long	.Linfo_string7
	.long	.Linfo_string8
	.long	.Linfo_string9
	.long	.Linfo_string10
	.long	.Linfo_string11
	.long	.Linfo_string12
	.long	.Linfo_string13
	.long	.Linfo_string14
	.long	.Linfo_string15
	.long	.Linfo_string16
	.long	.Linfo_string17
	.long	.Linfo_string18
	.long	.Linfo_string19
	.long	.Linfo_string20
	.long	.Linfo_string21
	.long	.Linfo_string22
	.long	.Linfo_string23
	.long	.Linfo_string24
	.long	.Linfo_string25
	.long	.Linfo_string26
	.long	.Linfo_string27
	.long	.Linfo_string28
	.long	.Linfo_string29
	.long	.Linfo_string30
	.long	.Linfo_string31
	.long	.Linfo_string32
	.long	.Linfo_string33
	.long	.Linfo_string34
	.long	.Linfo_string35
	.long	.Linfo_string36
	.long	.Linfo_string37
	.long	.Linfo_string38
	.long	.Linfo_string39
	.long	.Linfo_string40
	.long	.Linfo_string41
	.long	.Linfo_string42
	.section	.debug_addr,"",@progbits
	.long	.Ldebug_addr_end0-.Ldebug_addr_start0 # Length of contribution
.Ldebug_addr_start0:
	.short	5                               # DWARF version number
	.byte	8                               # Address size
	.byte	0                               # Segment selector size
.Laddr_table_base0:
	.quad	LICENSE
	.quad	counts
	.quad	.Lfunc_begin0
.Ldebug_addr_end0:
	.section	.BTF,"",@progbits
	.short	60319                           # 0xeb9f
	.byte	1
	.byte	0
	.long	24
	.long	0
	.long	492
	.long	492
	.long	582
	.long	0                               # BTF_KIND_PTR(id = 1)
	.long	33554432                        # 0x2000000
	.long	3
	.long	1                               # BTF_KIND_INT(id = 2)
	.long	16777216                        # 0x1000000
	.long	4
	.long	16777248                        # 0x1000020
	.long	0                               # BTF_KIND_ARRAY(id = 3)
	.long	50331648                        # 0x3000000
	.long	0
	.long	2
	.long	4
	.long	2
	.long	5                               # BTF_KIND_INT(id = 4)
	.long	16777216                        # 0x1000000
	.long	4
	.long	32                              # 0x20
	.long	0                               # BTF_KIND_PTR(id = 5)
	.long	33554432                        # 0x2000000
	.long	6
	.long	0                               # BTF_KIND_ARRAY(id = 6)
	.long	50331648                        # 0x3000000
	.long	0
	.long	2
	.long	4
	.long	3
	.long	0                               # BTF_KIND_PTR(id = 7)
	.long	33554432                        # 0x2000000
	.long	8
	.long	25                              # BTF_KIND_TYPEDEF(id = 8)
	.long	134217728                       # 0x8000000
	.long	9
	.long	31                              # BTF_KIND_INT(id = 9)
	.long	16777216                        # 0x1000000
	.long	4
	.long	32                              # 0x20
	.long	0                               # BTF_KIND_PTR(id = 10)
	.long	33554432                        # 0x2000000
	.long	11
	.long	44                              # BTF_KIND_TYPEDEF(id = 11)
	.long	134217728                       # 0x8000000
	.long	12
	.long	50                              # BTF_KIND_INT(id = 12)
	.long	16777216                        # 0x1000000
	.long	8
	.long	64                              # 0x40
	.long	0                               # BTF_KIND_STRUCT(id = 13)
	.long	67108868                        # 0x4000004
	.long	32
	.long	69
	.long	1
	.long	0                               # 0x0
	.long	74
	.long	5
	.long	64                              # 0x40
	.long	86
	.long	7
	.long	128                             # 0x80
	.long	90
	.long	10
	.long	192                             # 0xc0
	.long	96                              # BTF_KIND_VAR(id = 14)
	.long	234881024                       # 0xe000000
	.long	13
	.long	1
	.long	0                               # BTF_KIND_PTR(id = 15)
	.long	33554432                        # 0x2000000
	.long	16
	.long	103                             # BTF_KIND_STRUCT(id = 16)
	.long	67108870                        # 0x4000006
	.long	24
	.long	110
	.long	8
	.long	0                               # 0x0
	.long	115
	.long	8
	.long	32                              # 0x20
	.long	124
	.long	8
	.long	64                              # 0x40
	.long	134
	.long	8
	.long	96                              # 0x60
	.long	150
	.long	8
	.long	128                             # 0x80
	.long	165
	.long	8
	.long	160                             # 0xa0
	.long	0                               # BTF_KIND_FUNC_PROTO(id = 17)
	.long	218103809                       # 0xd000001
	.long	2
	.long	180
	.long	15
	.long	184                             # BTF_KIND_FUNC(id = 18)
	.long	201326593                       # 0xc000001
	.long	17
	.long	555                             # BTF_KIND_INT(id = 19)
	.long	16777216                        # 0x1000000
	.long	1
	.long	16777224                        # 0x1000008
	.long	0                               # BTF_KIND_ARRAY(id = 20)
	.long	50331648                        # 0x3000000
	.long	0
	.long	19
	.long	4
	.long	4
	.long	560                             # BTF_KIND_VAR(id = 21)
	.long	234881024                       # 0xe000000
	.long	20
	.long	1
	.long	568                             # BTF_KIND_DATASEC(id = 22)
	.long	251658241                       # 0xf000001
	.long	0
	.long	14
	.long	counts
	.long	32
	.long	574                             # BTF_KIND_DATASEC(id = 23)
	.long	251658241                       # 0xf000001
	.long	0
	.long	21
	.long	LICENSE
	.long	4
	.byte	0                               # string offset=0
	.ascii	"int"                           # string offset=1
	.byte	0
	.ascii	"__ARRAY_SIZE_TYPE__"           # string offset=5
	.byte	0
	.ascii	"__u32"                         # string offset=25
	.byte	0
	.ascii	"unsigned int"                  # string offset=31
	.byte	0
	.ascii	"__u64"                         # string offset=44
	.byte	0
	.ascii	"unsigned long long"            # string offset=50
	.byte	0
	.ascii	"type"                          # string offset=69
	.byte	0
	.ascii	"max_entries"                   # string offset=74
	.byte	0
	.ascii	"key"                           # string offset=86
	.byte	0
	.ascii	"value"                         # string offset=90
	.byte	0
	.ascii	"counts"                        # string offset=96
	.byte	0
	.ascii	"xdp_md"                        # string offset=103
	.byte	0
	.ascii	"data"                          # string offset=110
	.byte	0
	.ascii	"data_end"                      # string offset=115
	.byte	0
	.ascii	"data_meta"                     # string offset=124
	.byte	0
	.ascii	"ingress_ifindex"               # string offset=134
	.byte	0
	.ascii	"rx_queue_index"                # string offset=150
	.byte	0
	.ascii	"egress_ifindex"                # string offset=165
	.byte	0
	.ascii	"ctx"                           # string offset=180
	.byte	0
	.ascii	"hello"                         # string offset=184
	.byte	0
	.ascii	"xdp"                           # string offset=190
	.byte	0
	.ascii	"/work/wt-core/examples/hello.c" # string offset=194
	.byte	0
	.ascii	"\tvoid *data_end = (void *)(long)ctx->data_end;" # string offset=225
	.byte	0
	.ascii	"\tvoid *data = (void *)(long)ctx->data;" # string offset=272
	.byte	0
	.ascii	"\t__u32 key = 2; /* other */"  # string offset=311
	.byte	0
	.ascii	"\tif ((void *)(eth + 1) > data_end)" # string offset=339
	.byte	0
	.ascii	"\tif (eth->h_proto == bpf_htons(ETH_P_IP))" # string offset=374
	.byte	0
	.ascii	"\t\tkey = 0;"                  # string offset=416
	.byte	0
	.ascii	"\t__u64 *n = bpf_map_lookup_elem(&counts, &key);" # string offset=427
	.byte	0
	.ascii	"\tif (n)"                      # string offset=475
	.byte	0
	.ascii	"\t\t__sync_fetch_and_add(n, 1);" # string offset=483
	.byte	0
	.ascii	"\treturn key == 1 ? XDP_DROP : XDP_PASS;" # string offset=513
	.byte	0
	.byte	125                             # string offset=553
	.byte	0
	.ascii	"char"                          # string offset=555
	.byte	0
	.ascii	"LICENSE"                       # string offset=560
	.byte	0
	.ascii	".maps"                         # string offset=568
	.byte	0
	.ascii	"license"                       # string offset=574
	.byte	0
	.section	.BTF.ext,"",@progbits
	.short	60319                           # 0xeb9f
	.byte	1
	.byte	0
	.long	32
	.long	0
	.long	20
	.long	20
	.long	220
	.long	240
	.long	0
	.long	8                               # FuncInfo
	.long	190                             # FuncInfo section string offset=190
	.long	1
	.long	.Lfunc_begin0
	.long	18
	.long	16                              # LineInfo
	.long	190                             # LineInfo section string offset=190
	.long	13
	.long	.Ltmp0
	.long	194
	.long	225
	.long	19494                           # Line 19 Col 38
	.long	.Ltmp3
	.long	194
	.long	272
	.long	18466                           # Line 18 Col 34
	.long	.Ltmp6
	.long	194
	.long	311
	.long	21512                           # Line 21 Col 8
	.long	.Ltmp9
	.long	194
	.long	339
	.long	23571                           # Line 23 Col 19
	.long	.Ltmp12
	.long	194
	.long	339
	.long	23558                           # Line 23 Col 6
	.long	.Ltmp15
	.long	194
	.long	374
	.long	25611                           # Line 25 Col 11
	.long	.Ltmp22
	.long	194
	.long	374
	.long	25606                           # Line 25 Col 6
	.long	.Ltmp25
	.long	194
	.long	416
	.long	26631                           # Line 26 Col 7
	.long	.Ltmp28
	.long	194
	.long	427
	.long	29709                           # Line 29 Col 13
	.long	.Ltmp31
	.long	194
	.long	475
	.long	30726                           # Line 30 Col 6
	.long	.Ltmp36
	.long	194
	.long	483
	.long	31747                           # Line 31 Col 3
	.long	.Ltmp41
	.long	194
	.long	513
	.long	32777                           # Line 32 Col 9
	.long	.Ltmp42
	.long	194
	.long	553
	.long	33793                           # Line 33 Col 1
	.addrsig
	.addrsig_sym hello
	.addrsig_sym counts
	.addrsig_sym LICENSE
	.section	.debug_line,"",@progbits
.Lline_table_start0:
