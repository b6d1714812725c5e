// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity ^0.8.20;

/// A k-of-n multisig with the read interface of a Gnosis Safe (getOwners,
/// getThreshold, isOwner, getModulesPaginated, nonce) and Safe-style
/// self-administration (changeThreshold, addOwnerWithThreshold, enableModule
/// only through its own transactions). Owners approve a transaction hash
/// (approveHash, as a nested Safe does) and anyone executes it once enough
/// owners have approved. Written from the interface for l2stage's tests.
contract MiniSafe {
    address internal constant SENTINEL = address(0x1);

    address[] private _owners;
    mapping(address => bool) private _isOwner;
    uint256 private _threshold;
    address[] private _modules;
    mapping(address => bool) private _isModule;
    uint256 public nonce;
    mapping(address => mapping(bytes32 => bool)) public approvedHashes;

    event ChangedThreshold(uint256 threshold);
    event AddedOwner(address indexed owner);
    event RemovedOwner(address indexed owner);
    event EnabledModule(address indexed module);
    event ApproveHash(bytes32 indexed approvedHash, address indexed owner);
    event ExecutionSuccess(bytes32 indexed txHash);

    modifier onlySelf() {
        require(msg.sender == address(this), "only through a Safe transaction");
        _;
    }

    constructor(address[] memory owners, uint256 threshold) {
        for (uint256 i = 0; i < owners.length; i++) {
            _addOwner(owners[i]);
        }
        _setThreshold(threshold);
    }

    function getOwners() external view returns (address[] memory) {
        return _owners;
    }

    function getThreshold() external view returns (uint256) {
        return _threshold;
    }

    function isOwner(address account) external view returns (bool) {
        return _isOwner[account];
    }

    function getModulesPaginated(address start, uint256 pageSize)
        external
        view
        returns (address[] memory array, address next)
    {
        require(start == SENTINEL, "start at the sentinel");
        uint256 n = _modules.length < pageSize ? _modules.length : pageSize;
        array = new address[](n);
        for (uint256 i = 0; i < n; i++) {
            array[i] = _modules[i];
        }
        next = n < _modules.length ? _modules[n] : SENTINEL;
    }

    function getTransactionHash(address to, uint256 value, bytes calldata data, uint256 txNonce)
        public
        view
        returns (bytes32)
    {
        return keccak256(abi.encode(block.chainid, address(this), to, value, keccak256(data), txNonce));
    }

    function approveHash(bytes32 hash) external {
        require(_isOwner[msg.sender], "not an owner");
        approvedHashes[msg.sender][hash] = true;
        emit ApproveHash(hash, msg.sender);
    }

    /// Executes once at least `threshold` owners approved the hash (the
    /// caller counts as approving if it is an owner).
    function execTransaction(address to, uint256 value, bytes calldata data) external payable returns (bool) {
        bytes32 hash = getTransactionHash(to, value, data, nonce);
        uint256 approvals = 0;
        for (uint256 i = 0; i < _owners.length; i++) {
            address o = _owners[i];
            if (o == msg.sender || approvedHashes[o][hash]) approvals++;
        }
        require(approvals >= _threshold, "not enough approvals");
        nonce++;
        (bool ok, bytes memory ret) = to.call{value: value}(data);
        if (!ok) {
            assembly {
                revert(add(ret, 32), mload(ret))
            }
        }
        emit ExecutionSuccess(hash);
        return true;
    }

    function execTransactionFromModule(address to, uint256 value, bytes calldata data, uint8 operation)
        external
        returns (bool success)
    {
        require(_isModule[msg.sender], "not a module");
        require(operation == 0, "calls only");
        (success,) = to.call{value: value}(data);
    }

    function changeThreshold(uint256 threshold) external onlySelf {
        _setThreshold(threshold);
    }

    function addOwnerWithThreshold(address owner, uint256 threshold) external onlySelf {
        _addOwner(owner);
        _setThreshold(threshold);
    }

    function removeOwner(address owner, uint256 threshold) external onlySelf {
        require(_isOwner[owner], "not an owner");
        _isOwner[owner] = false;
        for (uint256 i = 0; i < _owners.length; i++) {
            if (_owners[i] == owner) {
                _owners[i] = _owners[_owners.length - 1];
                _owners.pop();
                break;
            }
        }
        emit RemovedOwner(owner);
        _setThreshold(threshold);
    }

    function enableModule(address module) external onlySelf {
        require(module != address(0) && module != SENTINEL && !_isModule[module], "bad module");
        _isModule[module] = true;
        _modules.push(module);
        emit EnabledModule(module);
    }

    receive() external payable {}

    function _addOwner(address owner) internal {
        require(owner != address(0) && owner != SENTINEL && owner != address(this), "bad owner");
        require(!_isOwner[owner], "duplicate owner");
        _isOwner[owner] = true;
        _owners.push(owner);
        emit AddedOwner(owner);
    }

    function _setThreshold(uint256 threshold) internal {
        require(threshold >= 1 && threshold <= _owners.length, "bad threshold");
        _threshold = threshold;
        emit ChangedThreshold(threshold);
    }
}
